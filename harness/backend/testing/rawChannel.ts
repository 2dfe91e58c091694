import WebSocket from 'ws';
import { trustingCa } from '../../../agent/channel/trust';
import type { Json } from './graphTestClient';

/**
 * A bare device-channel connection for tests: send any frame, read replies in order, see how the
 * connection closed. No schema checks here on purpose: tests send what a broken device would.
 */
export class RawChannel {
  private readonly queue: unknown[] = [];
  private readonly waiters: Array<(message: unknown) => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private sequence = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.queue.push(message);
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.on('error', () => undefined);
  }

  /** `ca`: the PEM CA a wss:// backend's certificate chains to (stagesim's local CA). */
  static async open(channelUrl: string, options: { ca?: string } = {}): Promise<RawChannel> {
    const socket = new WebSocket(channelUrl, trustingCa(options.ca));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new RawChannel(socket);
  }

  next(): Promise<Json> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.socket.send(data, { binary: options.binary ?? Buffer.isBuffer(data) });
  }

  /** Sends a message (a requestId is added when it has none) and answers the next reply. */
  async request(message: Record<string, unknown>): Promise<Json> {
    this.sequence += 1;
    this.sendRaw(JSON.stringify({ requestId: `r${this.sequence}`, ...message }));
    return this.next();
  }

  async hello(serialNumber: string, osVersion = '14', extra: Record<string, unknown> = {}): Promise<Json> {
    return this.request({
      type: 'hello',
      device: { serialNumber, manufacturer: 'Google', model: 'Pixel 8', osVersion, ...extra },
    });
  }

  close(): Promise<{ code: number; reason: string }> {
    this.socket.close();
    return this.closed;
  }
}
