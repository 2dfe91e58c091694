import type { IncomingMessage, Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES, type DeviceMessageType, type PressCommand } from '../../../agent/protocol/messages';
import { KeyedFailureWindows } from '../rateLimit';
import { BoundedCache } from '../store/boundedCache';
import {
  ChannelSession,
  type CachedReply,
  type ReplyCache,
  type RequestOutcome,
  type SessionContext,
} from './ChannelSession';

export const DEVICE_CHANNEL_PATH = '/device';

/**
 * Fault injection for harnesses: asked before each reply is sent. 'drop' cuts the connection instead
 * of answering (the request was already processed and committed), which is how a lost reply looks to a
 * device.
 */
export type BeforeReply = (request: { type: DeviceMessageType; requestId: string }) => 'send' | 'drop';

/** Told of every connection and every answered frame (the backend's metrics). */
export interface ChannelObserver {
  connectionOpened(): void;
  connectionClosed(): void;
  /** `request` is the frame's type, stateReport for a device's unanswered report, or 'invalid' for a frame that was not a valid request. */
  deviceRequest(
    request: DeviceMessageType | 'stateReport' | 'invalid',
    outcome: RequestOutcome,
    seconds: number,
  ): void;
}

export interface ChannelServerOptions extends Omit<SessionContext, 'replies' | 'redemptionFailuresBySerial'> {
  beforeReply?: BeforeReply;
  observer?: ChannelObserver;
  /** Called after every request a device made (its record may have changed), with its serial number. */
  onDeviceRequest?: (serialNumber: string, type: DeviceMessageType) => void;
  /** Called when the last connection of a device closes. */
  onDeviceGone?: (serialNumber: string) => void;
  /** Devices whose last reply is kept in memory (least recently used out first); DEFAULT_REPLY_CACHE_SIZE. */
  replyCacheSize?: number;
}

/** About 300 bytes a device: the last reply of 10,000 devices is some 3 MB. */
export const DEFAULT_REPLY_CACHE_SIZE = 10_000;

/**
 * The device side of the backend: WebSocket connections at /device on the admin HTTP server's port.
 * ws enforces MAX_FRAME_BYTES: a bigger frame closes that one connection with 1009, nobody else's.
 */
export class ChannelServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
  });
  private readonly sockets = new Set<WebSocket>();
  /** The latest connection of each device that said who it is: where a console tap is relayed to. */
  private readonly bySerial = new Map<string, WebSocket>();
  /** What every session shares, made once: a fleet opens a connection per device. */
  private readonly sessionContext: SessionContext;

  constructor(private readonly options: ChannelServerOptions) {
    const replies: ReplyCache = new BoundedCache<string, CachedReply>(
      options.replyCacheSize ?? DEFAULT_REPLY_CACHE_SIZE,
    );
    const redemptionFailuresBySerial = new KeyedFailureWindows(options.redemptionLimit, options.now);
    this.sessionContext = { ...options, replies, redemptionFailuresBySerial };
    this.wss.on('connection', (socket) => this.onConnection(socket));
  }

  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== DEVICE_CHANNEL_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
    });
  }

  connectionCount(): number {
    return this.sockets.size;
  }

  /** Sends a console tap to the device's open connection; false when the device is not connected. */
  press(serialNumber: string, command: PressCommand): boolean {
    const socket = this.bySerial.get(serialNumber);
    if (!socket || socket.readyState !== socket.OPEN) return false;
    socket.send(JSON.stringify(command));
    return true;
  }

  isConnected(serialNumber: string): boolean {
    return this.bySerial.get(serialNumber)?.readyState === 1;
  }

  /** Cuts every device connection at once, as a network failure would (no close handshake). */
  dropAll(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  /**
   * Cuts every device connection, as a backend that restarted does, and forgets every device's last reply
   * and failed redemptions; resolves once every connection has closed. Still accepts new connections.
   */
  async reset(): Promise<void> {
    const closed = [...this.sockets].map(
      (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
    );
    for (const socket of this.sockets) socket.terminate();
    await Promise.all(closed);
    this.bySerial.clear();
    this.sessionContext.replies.clear();
    this.sessionContext.redemptionFailuresBySerial.clear();
  }

  /** Closes every connection with 1001 (going away) and stops accepting new ones. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.close(1001, 'backend shutting down');
    await new Promise<void>((resolve) => {
      // Sockets that do not finish the closing handshake promptly are cut.
      const timer = setTimeout(() => {
        for (const socket of this.sockets) socket.terminate();
      }, 500);
      timer.unref();
      this.wss.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private onConnection(socket: WebSocket): void {
    this.sockets.add(socket);
    const { observer } = this.options;
    observer?.connectionOpened();
    const session = new ChannelSession(this.sessionContext);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const started = observer ? performance.now() : 0;
      const handled = isBinary ? session.binaryFrame() : session.handle(rawText(data));
      const serial = session.serial();
      if (serial !== null && this.bySerial.get(serial) !== socket) this.bySerial.set(serial, socket);
      // Processed and committed whether or not the reply goes out.
      if (handled.request && serial !== null && handled.request.type !== 'hello')
        this.options.onDeviceRequest?.(serial, handled.request.type);
      if (observer)
        observer.deviceRequest(
          handled.request?.type ?? (handled.outcome.reply === 'stateReport' ? 'stateReport' : 'invalid'),
          handled.outcome,
          (performance.now() - started) / 1000,
        );
      if (handled.request && this.options.beforeReply?.(handled.request) === 'drop') {
        socket.terminate();
        return;
      }
      if (handled.text !== null) socket.send(handled.text);
    });
    // ws reports protocol violations (oversized frames: 1009) here after closing the socket itself.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      observer?.connectionClosed();
      const serial = session.serial();
      if (serial !== null && this.bySerial.get(serial) === socket) {
        this.bySerial.delete(serial);
        this.options.onDeviceGone?.(serial);
      }
    });
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
