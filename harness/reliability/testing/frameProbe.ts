import WebSocket from 'ws';

export type ProbeAnswer = { reply: unknown; raw: string } | { closed: number };

/**
 * A device-channel connection that sends one frame at a time and waits for what the server does about
 * it: one reply, or the connection closing. Replies that nobody waited for are kept, so a server that
 * answers a frame twice is caught by the next exchange finding one queued.
 */
export class FrameProbe {
  private readonly queue: string[] = [];
  private waiter: ((answer: ProbeAnswer) => void) | null = null;
  closeCode: number | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const raw = data.toString();
      if (this.waiter) {
        const waiter = this.waiter;
        this.waiter = null;
        waiter({ reply: parse(raw), raw });
      } else this.queue.push(raw);
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      const waiter = this.waiter;
      this.waiter = null;
      waiter?.({ closed: code });
    });
    socket.on('error', () => undefined);
  }

  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<FrameProbe> {
    const socket = new WebSocket(url, { perMessageDeflate: false, ...options });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new FrameProbe(socket);
  }

  /** Replies that arrived while nobody waited. */
  pending(): number {
    return this.queue.length;
  }

  send(data: string | Buffer, binary = Buffer.isBuffer(data)): void {
    this.socket.send(data, { binary });
  }

  next(timeoutMs = 5_000): Promise<ProbeAnswer> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve({ reply: parse(queued), raw: queued });
    if (this.closeCode !== null) return Promise.resolve({ closed: this.closeCode });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`no reply and no close within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (answer) => {
        clearTimeout(timer);
        resolve(answer);
      };
    });
  }

  async exchange(data: string | Buffer, binary = Buffer.isBuffer(data)): Promise<ProbeAnswer> {
    this.send(data, binary);
    return this.next();
  }

  close(): void {
    this.socket.terminate();
  }
}

function parse(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
