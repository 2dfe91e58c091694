import type { ServerResponse } from 'node:http';

/** What changed, so a console reloads only what it shows: device rows and counts, or profiles and targets. */
export type ChangeKind = 'devices' | 'admin';

/**
 * Server-sent events for the console. Changes are coalesced: at most one event per kind every
 * `intervalMs`, saying only what changed, and the console fetches the page it shows. A fleet of
 * 100,000 devices therefore costs each open console a few small events a second, not one per device.
 */
export class ChangeFeed {
  private readonly clients = new Set<ServerResponse>();
  private readonly pending = new Set<ChangeKind>();
  private timer: NodeJS.Timeout | null = null;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly intervalMs = 250) {
    // A comment line now and then keeps proxies and the browser from closing an idle stream.
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), 15_000);
    this.heartbeat.unref();
  }

  subscribe(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write('retry: 2000\n\n');
    response.write(`event: hello\ndata: {}\n\n`);
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
  }

  notify(kind: ChangeKind): void {
    if (this.clients.size === 0) return;
    this.pending.add(kind);
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  clientCount(): number {
    return this.clients.size;
  }

  close(): void {
    clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private flush(): void {
    this.timer = null;
    const kinds = [...this.pending];
    this.pending.clear();
    for (const kind of kinds) this.write(`event: ${kind}\ndata: {}\n\n`);
  }

  private write(text: string): void {
    for (const client of this.clients) client.write(text);
  }
}
