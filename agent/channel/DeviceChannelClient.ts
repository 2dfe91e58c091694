import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { z } from 'zod';
import type {
  CompletedStage,
  EnrollmentService,
  SignInResult,
  StageCompletion,
  TokenRedemption,
} from '../device/enrollmentService';
import { StagesimError, oneLine } from '../errors';
import type { DeviceIdentity } from '../protocol/enrollment';
import {
  backendMessageSchema,
  pressCommandSchema,
  type BackendMessage,
  type DeviceMessage,
  type DeviceRecordView,
  type PressCommand,
  type StateReportMessage,
  type RedemptionMethod,
} from '../protocol/messages';
import { RETRY_BUDGET, retryPolicySchema, withRetries } from './retryPolicy';
import { trustingCa } from './trust';

export const deviceChannelClientOptionsSchema = z.object({
  /** The backend's base URL (http://127.0.0.1:PORT) or the channel's own (ws://…/device). */
  url: z.string().min(1),
  /** How long one attempt waits for its reply before the connection is given up as dead. */
  requestTimeoutMs: z.number().int().positive().default(10_000),
  connectTimeoutMs: z.number().int().positive().default(5_000),
  /**
   * For a wss:// backend whose certificate a private CA signed (stagesim backend --tls): that CA's
   * certificate in PEM, trusted besides the system's. NODE_EXTRA_CA_CERTS does the same for a process.
   */
  ca: z.string().min(1).optional(),
  /** How requests are retried: the tree's one policy and budget (retryPolicy.ts) unless a test names another. */
  retry: retryPolicySchema.default(RETRY_BUDGET),
  /** Send the device's state reports (the admin console's live view); off, reportState does nothing. */
  reportState: z.boolean().default(true),
});
export type DeviceChannelClientOptions = z.input<typeof deviceChannelClientOptionsSchema>;

/** A failure the next attempt may not have: the connection could not be made, dropped, or went silent. */
class TransientFailure extends Error {}

interface Waiter {
  resolve(message: BackendMessage): void;
  reject(error: Error): void;
}

interface Connection {
  socket: WebSocket;
  /** Open, and introduced (hello answered) when the device's identity was known. */
  ready: Promise<void>;
  /** ready has resolved: a message can go out at once (a report sent while closing must not wait). */
  isReady: boolean;
  waiters: Map<string, Waiter>;
}

/**
 * Requests and replies (WebSocket payloads) this client sent and received, resends included: the
 * enrollment's own traffic, which the fleet's figures and the bench's raw baseline compare. State
 * reports for the admin console (one or two per device at fleet speed) are not counted.
 */
export interface ChannelTraffic {
  sent: number;
  received: number;
  bytesSent: number;
  bytesReceived: number;
}

type Request = DeviceMessage extends infer M
  ? M extends { requestId: string }
    ? Omit<M, 'requestId'>
    : never
  : never;

/**
 * The device side of the device channel: EnrollmentService over a WebSocket to `${url}/device`.
 *
 * Connects lazily, says hello again on every new connection (with the identity of the last hello()),
 * gives every request a requestId, and when a connection drops or an answer does not come, reconnects
 * with exponential backoff and jitter and resends the request with the same requestId, so the backend
 * answers it as the request it already handled. When the retry budget is spent the call rejects with
 * StagesimError NETWORK_UNAVAILABLE, the code the device runtime retries on.
 *
 * Other StagesimError codes: the backend's channel errors in upper snake case (STAGE_OUT_OF_ORDER,
 * NOT_REGISTERED, INVALID_MESSAGE, INTERNAL_ERROR, ...), UNEXPECTED_REPLY, CLIENT_CLOSED and
 * CHANNEL_URL_INVALID (constructor).
 */
export class DeviceChannelClient implements EnrollmentService {
  readonly channelUrl: string;
  private readonly options: z.output<typeof deviceChannelClientOptionsSchema>;
  private identity: DeviceIdentity | null = null;
  private connection: Connection | null = null;
  private closed = false;
  private sequence = 0;
  private readonly counters: ChannelTraffic = { sent: 0, received: 0, bytesSent: 0, bytesReceived: 0 };
  /** Distinct per client, so two clients of one device (before and after a restart) never reuse an id. */
  private readonly idPrefix = nextClientId();
  private readonly pressListeners = new Set<(command: PressCommand) => void>();

  constructor(options: DeviceChannelClientOptions) {
    this.options = resolveOptions(options);
    this.channelUrl = channelUrlOf(this.options.url);
  }

  async hello(device: DeviceIdentity): Promise<DeviceRecordView | null> {
    this.identity = device;
    const reply = await this.call({ type: 'hello', device }, 'helloAck');
    return reply.record;
  }

  redeemToken(token: string, method: RedemptionMethod): Promise<TokenRedemption> {
    return this.call({ type: 'redeemToken', token, method }, 'tokenAccepted', 'tokenRejected');
  }

  async completeStage(stage: CompletedStage): Promise<StageCompletion> {
    const reply = await this.call({ type: 'completeStage', stage }, 'stageRecorded');
    return { record: reply.record, deliveries: reply.deliveries };
  }

  async signIn(upn: string): Promise<SignInResult> {
    const reply = await this.call({ type: 'signIn', upn }, 'signInAccepted', 'signInRejected');
    return reply.type === 'signInAccepted'
      ? { accepted: true, upn: reply.upn }
      : { accepted: false, reason: reply.reason };
  }

  async factoryReset(): Promise<void> {
    await this.call({ type: 'factoryReset' }, 'resetRecorded');
  }

  reportState(report: Omit<StateReportMessage, 'type'>): void {
    if (this.closed || !this.options.reportState) return;
    const text = JSON.stringify({ type: 'stateReport', ...report });
    const send = (connection: Connection) => {
      if (connection.socket.readyState !== WebSocket.OPEN) return;
      connection.socket.send(text, () => undefined);
    };
    // Reports ride on the connection requests use; one that cannot be opened now is simply dropped.
    if (this.connection?.isReady) send(this.connection);
    else this.connected(false).then(send, () => undefined);
  }

  onPress(listener: (command: PressCommand) => void): () => void {
    this.pressListeners.add(listener);
    return () => this.pressListeners.delete(listener);
  }

  traffic(): ChannelTraffic {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = null;
    if (!connection) return;
    if (connection.waiters.size > 0)
      this.fail(connection, new StagesimError('CLIENT_CLOSED', 'the device channel client was closed'));
    const { socket } = connection;
    if (socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.terminate(), 1_000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(1000, 'device closed');
    });
  }

  // --- Requests -----------------------------------------------------------------------------------

  private async call<T extends BackendMessage['type']>(
    request: Request,
    ...expected: T[]
  ): Promise<Extract<BackendMessage, { type: T }>> {
    if (this.closed) throw new StagesimError('CLIENT_CLOSED', 'the device channel client was closed');
    this.sequence += 1;
    const requestId = `${this.idPrefix}-${this.sequence}`;
    const text = JSON.stringify({ ...request, requestId });
    const { attempts } = this.options.retry;
    try {
      return await withRetries(
        this.options.retry,
        (error) => error instanceof TransientFailure,
        async () => {
          if (this.closed) throw new StagesimError('CLIENT_CLOSED', 'the device channel client was closed');
          const connection = await this.connected(request.type === 'hello');
          const reply = await this.exchange(connection, requestId, text);
          return answerOf(reply, expected);
        },
      );
    } catch (error) {
      if (!(error instanceof TransientFailure)) throw error;
      throw new StagesimError(
        'NETWORK_UNAVAILABLE',
        `the enrollment service at ${this.channelUrl} did not answer ${request.type} after ${attempts} attempts: ${error.message}`,
        { cause: error },
      );
    }
  }

  /** Sends one request on one connection and waits for its reply (or the connection's end). */
  private exchange(connection: Connection, requestId: string, text: string): Promise<BackendMessage> {
    return new Promise<BackendMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        connection.waiters.delete(requestId);
        reject(new TransientFailure(`no answer within ${this.options.requestTimeoutMs} ms`));
        // A connection that swallows requests is as good as dropped; the next attempt opens a new one.
        this.drop(connection);
      }, this.options.requestTimeoutMs);
      connection.waiters.set(requestId, {
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.counters.sent += 1;
      this.counters.bytesSent += Buffer.byteLength(text);
      connection.socket.send(text, (error) => {
        if (error)
          connection.waiters.get(requestId)?.reject(new TransientFailure(`sending failed: ${error.message}`));
      });
    });
  }

  // --- Connections --------------------------------------------------------------------------------

  /**
   * The open connection, opening a new one when there is none. A new connection introduces the device
   * first, unless the request about to go out is itself a hello.
   */
  private async connected(isHello: boolean): Promise<Connection> {
    if (!this.connection) this.connection = this.open(isHello ? null : this.identity);
    const connection = this.connection;
    await connection.ready;
    return connection;
  }

  private open(identity: DeviceIdentity | null): Connection {
    // Replies are small; a peer sending megabytes is not the backend.
    const socket = new WebSocket(this.channelUrl, {
      ...trustingCa(this.options.ca),
      handshakeTimeout: this.options.connectTimeoutMs,
      perMessageDeflate: false,
      maxPayload: 1024 * 1024,
    });
    const connection: Connection = { socket, waiters: new Map(), ready: Promise.resolve(), isReady: false };

    socket.on('message', (data, isBinary) => {
      this.counters.received += 1;
      this.counters.bytesReceived += rawLength(data);
      if (isBinary) return;
      let json: unknown;
      try {
        json = JSON.parse(data.toString());
      } catch {
        return;
      }
      if ((json as { type?: unknown } | null)?.type === 'press') {
        const command = pressCommandSchema.safeParse(json);
        if (command.success) for (const listener of this.pressListeners) listener(command.data);
        return;
      }
      const parsed = backendMessageSchema.safeParse(json);
      // A reply nobody waits for (a late answer to a request already resent) is dropped.
      if (!parsed.success || parsed.data.requestId === null) return;
      const waiter = connection.waiters.get(parsed.data.requestId);
      if (!waiter) return;
      connection.waiters.delete(parsed.data.requestId);
      waiter.resolve(parsed.data);
    });
    socket.on('error', () => undefined);
    socket.on('close', (code) => {
      if (this.connection === connection) this.connection = null;
      if (connection.waiters.size > 0)
        this.fail(connection, new TransientFailure(`the connection closed (${code})`));
    });

    const opened = new Promise<void>((resolve, reject) => {
      const onOpen = () => {
        socket.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        socket.off('open', onOpen);
        reject(new TransientFailure(`cannot connect to ${this.channelUrl}`));
      };
      socket.once('open', onOpen);
      socket.once('close', onClose);
    });
    connection.ready = opened.then(async () => {
      // A new connection is a new session on the backend: introduce the device before anything else.
      if (!identity) return;
      this.sequence += 1;
      const requestId = `${this.idPrefix}-${this.sequence}`;
      answerOf(
        await this.exchange(
          connection,
          requestId,
          JSON.stringify({ type: 'hello', requestId, device: identity }),
        ),
        ['helloAck'],
      );
    });
    // Whoever awaits ready sees the failure; the connection itself is not used again.
    connection.ready.then(
      () => (connection.isReady = true),
      () => this.drop(connection),
    );
    return connection;
  }

  private drop(connection: Connection): void {
    if (this.connection === connection) this.connection = null;
    connection.socket.terminate();
  }

  private fail(connection: Connection, error: Error): void {
    const waiters = [...connection.waiters.values()];
    connection.waiters.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}

function rawLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((total, chunk) => total + chunk.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function answerOf<T extends BackendMessage['type']>(
  reply: BackendMessage,
  expected: readonly T[],
): Extract<BackendMessage, { type: T }> {
  if ((expected as readonly string[]).includes(reply.type))
    return reply as Extract<BackendMessage, { type: T }>;
  if (reply.type === 'error') throw new StagesimError(upperSnake(reply.code), reply.message);
  throw new StagesimError(
    'UNEXPECTED_REPLY',
    `expected ${expected.join(' or ')}, the backend answered ${reply.type}`,
  );
}

function upperSnake(code: string): string {
  return code.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();
}

/**
 * Options checked once per options object: a fleet hands the same one to thousands of clients. Only
 * frozen-by-convention option objects are remembered (the cache is keyed by identity).
 */
const resolvedOptions = new WeakMap<object, z.output<typeof deviceChannelClientOptionsSchema>>();

function resolveOptions(
  options: DeviceChannelClientOptions,
): z.output<typeof deviceChannelClientOptionsSchema> {
  const known = resolvedOptions.get(options);
  if (known) return known;
  const parsed = deviceChannelClientOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StagesimError(
      'CHANNEL_OPTIONS_INVALID',
      `device channel option ${issue.path.join('.')}: ${oneLine(issue.message)}`,
    );
  }
  resolvedOptions.set(options, parsed.data);
  return parsed.data;
}

/** Random per process, then counted: unique per client without asking the system for randomness each time. */
const processId = randomBytes(6).toString('hex');
let clientCount = 0;
function nextClientId(): string {
  clientCount += 1;
  return `${processId}${clientCount.toString(36)}`;
}

const channelUrls = new Map<string, string>();

/** ws://host:port/device from the backend's base URL (http, https, ws or wss). */
export function channelUrlOf(url: string): string {
  let channelUrl = channelUrls.get(url);
  if (channelUrl === undefined) {
    channelUrl = parseChannelUrl(url);
    if (channelUrls.size >= 64) channelUrls.clear();
    channelUrls.set(url, channelUrl);
  }
  return channelUrl;
}

function parseChannelUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StagesimError('CHANNEL_URL_INVALID', `not a URL: ${JSON.stringify(url)}`);
  }
  const protocols: Record<string, string> = {
    'http:': 'ws:',
    'https:': 'wss:',
    'ws:': 'ws:',
    'wss:': 'wss:',
  };
  const protocol = protocols[parsed.protocol];
  if (!protocol)
    throw new StagesimError(
      'CHANNEL_URL_INVALID',
      `the backend URL must be http(s) or ws(s), got ${parsed.protocol}`,
    );
  parsed.protocol = protocol;
  const path = parsed.pathname.replace(/\/+$/, '');
  parsed.pathname = path.endsWith('/device') ? path : `${path}/device`;
  return parsed.toString();
}
