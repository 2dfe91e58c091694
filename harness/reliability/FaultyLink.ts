import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import { DEVICE_CHANNEL_PATH } from '../backend/channel/ChannelServer';

/**
 * The network between simulated devices and the backend's device channel, with faults on demand. Each
 * device connection is relayed to its own upstream connection, frame by frame, unchanged; a fault is
 * armed for one device (by serial number, learnt from its hello) and fires on that device's next
 * request that is not a hello:
 *
 * - lose: the request never reaches the backend and the device's connection is cut;
 * - duplicate: the request reaches the backend twice, back to back (same frame, same requestId).
 *
 * `partition` keeps a device off the network (its connections are cut as they open) until `heal`.
 * `ownerOf(requestId)` says which device sent a request, so the backend's beforeReply hook can fault the
 * reply to one device on a backend many share.
 */
export type LinkFault = 'lose' | 'duplicate';

interface Armed {
  fault: LinkFault;
  fired: () => void;
}

interface Relay {
  device: WebSocket;
  upstream: WebSocket;
  serial: string | null;
}

/** Requests remembered per device for ownerOf (a device has few requests in flight). */
const OWNERS_KEPT = 100_000;

export class FaultyLink {
  private readonly relays = new Set<Relay>();
  private readonly armed = new Map<string, Armed>();
  private readonly partitioned = new Set<string>();
  private readonly owners = new Map<string, string>();

  private constructor(
    private readonly server: WebSocketServer,
    private upstreamUrl: string,
    readonly url: string,
  ) {
    server.on('connection', (socket) => this.onDevice(socket));
  }

  /** Starts the link on a free loopback port, relaying to `upstreamUrl` (the backend's ws://…/device). */
  static async start(upstreamUrl: string): Promise<FaultyLink> {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      path: DEVICE_CHANNEL_PATH,
      perMessageDeflate: false,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const { port } = server.address() as AddressInfo;
    return new FaultyLink(server, upstreamUrl, `ws://127.0.0.1:${port}${DEVICE_CHANNEL_PATH}`);
  }

  /** Relays new connections to another backend address from now on. */
  retarget(upstreamUrl: string): void {
    this.upstreamUrl = upstreamUrl;
  }

  /** Arms `fault` for the device's next request other than hello; resolves when it fired. */
  arm(serial: string, fault: LinkFault): Promise<void> {
    return new Promise((fired) => this.armed.set(serial, { fault, fired }));
  }

  isArmed(serial: string): boolean {
    return this.armed.has(serial);
  }

  disarm(serial: string): void {
    this.armed.delete(serial);
  }

  /** Cuts the device's connections now, as a network failure would. */
  cut(serial: string): void {
    for (const relay of this.relays) if (relay.serial === serial) this.teardown(relay);
  }

  partition(serial: string): void {
    this.partitioned.add(serial);
    this.cut(serial);
  }

  heal(serial: string): void {
    this.partitioned.delete(serial);
  }

  ownerOf(requestId: string): string | undefined {
    return this.owners.get(requestId);
  }

  connectionCount(): number {
    return this.relays.size;
  }

  async close(): Promise<void> {
    for (const relay of this.relays) this.teardown(relay);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onDevice(device: WebSocket): void {
    const upstream = new WebSocket(this.upstreamUrl, { perMessageDeflate: false });
    const relay: Relay = { device, upstream, serial: null };
    this.relays.add(relay);
    const pending: Array<{ data: RawData; binary: boolean }> = [];

    device.on('message', (data, binary) => {
      if (!this.inspect(relay, data, binary)) return;
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
      else pending.push({ data, binary });
    });
    upstream.on('open', () => {
      for (const frame of pending.splice(0)) upstream.send(frame.data, { binary: frame.binary });
    });
    upstream.on('message', (data, binary) => {
      if (device.readyState === WebSocket.OPEN) device.send(data, { binary });
    });
    // Either side going away takes the other with it, as one broken path would.
    const end = () => this.teardown(relay);
    device.on('close', end);
    upstream.on('close', end);
    device.on('error', end);
    upstream.on('error', end);
  }

  /** Looks at a device frame on its way up; answers false when the frame must not be relayed. */
  private inspect(relay: Relay, data: RawData, binary: boolean): boolean {
    if (binary) return true;
    let message: { type?: unknown; requestId?: unknown; device?: { serialNumber?: unknown } };
    try {
      message = JSON.parse(data.toString());
    } catch {
      return true;
    }
    if (message.type === 'hello' && typeof message.device?.serialNumber === 'string')
      relay.serial = message.device.serialNumber;
    const serial = relay.serial;
    if (serial === null) return true;
    if (this.partitioned.has(serial)) {
      this.teardown(relay);
      return false;
    }
    if (typeof message.requestId === 'string') {
      if (this.owners.size >= OWNERS_KEPT) this.owners.delete(this.owners.keys().next().value!);
      this.owners.set(message.requestId, serial);
    }
    // An armed fault waits for the device's next exchange of the enrollment; hello and the admin
    // console's state reports (sent and never answered) are not one.
    if (message.type === 'hello' || message.type === 'stateReport') return true;
    const armed = this.armed.get(serial);
    if (!armed) return true;
    this.armed.delete(serial);
    armed.fired();
    if (armed.fault === 'lose') {
      this.teardown(relay);
      return false;
    }
    // duplicate: this copy now, the frame itself by the caller.
    if (relay.upstream.readyState === WebSocket.OPEN) relay.upstream.send(data, { binary });
    else relay.upstream.once('open', () => relay.upstream.send(data, { binary }));
    return true;
  }

  private teardown(relay: Relay): void {
    if (!this.relays.delete(relay)) return;
    relay.device.terminate();
    relay.upstream.terminate();
  }
}
