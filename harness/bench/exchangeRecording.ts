import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { z } from 'zod';
import { channelUrlOf } from '../../agent/channel/DeviceChannelClient';
import { oneLine } from '../../agent/errors';
import {
  backendMessageSchema,
  deviceMessageSchema,
  stateReportMessageSchema,
} from '../../agent/protocol/messages';
import { DEVICE_CHANNEL_PATH } from '../backend/channel/ChannelServer';
import { startBackend } from '../backend/server';
import { walkDevice, type FleetDeviceSpec } from '../fleet/fleetDevice';
import { createFleetProfile, type FleetPlan } from '../fleet/fleetSetup';
import { EMBEDDED_PROFILE, FLEET_DEFAULTS } from '../fleet/options';
import { fleetDeviceSpec } from '../fleet/runShard';
import { replyKey, type ReplyTable } from './replyTable';

/** What a fleet device sends: its requests and its state reports (which have no requestId and no reply). */
export const recordedRequestSchema = z.union([deviceMessageSchema, stateReportMessageSchema]);
export type RecordedRequest = z.infer<typeof recordedRequestSchema>;

/** One real fleet device's exchanges with the real backend, for a stub to answer as that backend did. */
export interface ExchangeRecording {
  /** The fleet plan the device was handed (its url is the recorded backend's, closed since). */
  plan: FleetPlan;
  /** The device recorded: its serial number, hardware and user, as its frames carry them. */
  device: FleetDeviceSpec;
  /** Every frame the device sent, in the order sent. */
  requests: RecordedRequest[];
  /** The backend's reply to each kind of request (replyKey), the first one of each kind. */
  replies: ReplyTable;
}

const SERIAL_PREFIX = 'REC';

/**
 * Records one device of a fleet going through every stage: the fleet's profile (createFleetProfile, the
 * embedded profile's flow and mode, QR codes) and the fleet's real walk (walkDevice) through a recording
 * proxy on loopback, so that the frames are the ones a fleet sends and gets, with nothing patched. On the
 * backend at `against` (its recorded token then stays good there), or on an embedded backend in this
 * process, closed before it answers. `serialPrefix`: the recorded device's (REC unless given).
 */
export async function recordExchanges(
  options: { against?: string; serialPrefix?: string } = {},
): Promise<ExchangeRecording> {
  const own = options.against === undefined ? await startBackend({}) : null;
  const url = own?.url ?? options.against!;
  const serialPrefix = options.serialPrefix ?? SERIAL_PREFIX;
  try {
    const plan = await createFleetProfile(url, {
      ...EMBEDDED_PROFILE,
      serialPrefix,
      domain: FLEET_DEFAULTS.domain,
      provisioning: FLEET_DEFAULTS.provisioning,
    });
    const device = fleetDeviceSpec(0, serialPrefix, FLEET_DEFAULTS.domain, FLEET_DEFAULTS.provisioning);
    const proxy = await recordingProxy(channelUrlOf(url));
    try {
      const { outcome } = await walkDevice(
        device,
        {
          url: proxy.url,
          provisioningText: plan.provisioningText,
          configuration: plan.configuration,
          until: FLEET_DEFAULTS.until,
        },
        () => undefined,
      );
      if (!outcome.ok) throw new Error(`the recorded device did not enroll: ${outcome.reason}`);
    } finally {
      await proxy.close();
    }
    return { plan, device, ...pairedExchanges(proxy.sent, proxy.answered) };
  } finally {
    await own?.close();
  }
}

/** The frames read back: each request checked by the channel's schemas, each reply matched to its request. */
function pairedExchanges(sent: string[], answered: string[]): Omit<ExchangeRecording, 'plan' | 'device'> {
  const requests = sent.map((text) => parsed(recordedRequestSchema, text, 'the device sent'));
  const kinds = new Map(
    requests.flatMap((request) => ('requestId' in request ? [[request.requestId, replyKey(request)]] : [])),
  );
  const replies: ReplyTable = {};
  for (const text of answered) {
    const reply = parsed(backendMessageSchema, text, 'the backend answered');
    const kind = reply.requestId === null ? undefined : kinds.get(reply.requestId);
    if (kind !== undefined) replies[kind] ??= reply;
  }
  const unanswered = [...new Set(kinds.values())].filter((kind) => !(kind in replies));
  if (unanswered.length > 0)
    throw new Error(`the backend did not answer the recorded device's ${unanswered.join(', ')}`);
  return { requests, replies };
}

function parsed<T>(schema: z.ZodType<T>, text: string, who: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${who} a frame that is not JSON: ${oneLine(error)}`, { cause: error });
  }
  const result = schema.safeParse(json);
  if (!result.success)
    throw new Error(
      `${who} ${text.slice(0, 80)}, not a channel message: ${oneLine(result.error.issues[0]!.message)}`,
    );
  return result.data;
}

/**
 * A ws server on loopback at the device channel's path that opens a connection to `channelUrl` for each
 * of its own and passes every frame both ways, keeping the texts: the device's in `sent`, the backend's
 * in `answered`, each in the order it came.
 */
async function recordingProxy(channelUrl: string): Promise<{
  url: string;
  sent: string[];
  answered: string[];
  close(): Promise<void>;
}> {
  const sent: string[] = [];
  const answered: string[] = [];
  const sockets = new Set<WebSocket>();
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: DEVICE_CHANNEL_PATH,
    perMessageDeflate: false,
  });
  const track = (socket: WebSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  server.on('connection', (device) => {
    const backend = new WebSocket(channelUrl, { perMessageDeflate: false });
    track(device);
    track(backend);
    // The device may speak before the backend's side is open: its first frames wait for it.
    const early: string[] = [];
    device.on('message', (data) => {
      const text = data.toString();
      sent.push(text);
      if (backend.readyState === WebSocket.OPEN) backend.send(text);
      else early.push(text);
    });
    backend.on('open', () => {
      for (const text of early.splice(0)) backend.send(text);
    });
    backend.on('message', (data) => {
      const text = data.toString();
      answered.push(text);
      device.send(text);
    });
    device.on('close', () => backend.close());
    backend.on('close', () => device.close());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    answered,
    async close() {
      await Promise.all(
        [...sockets].map(
          (socket) =>
            new Promise<void>((resolve) => {
              if (socket.readyState === WebSocket.CLOSED) return resolve();
              socket.once('close', () => resolve());
              socket.terminate();
            }),
        ),
      );
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
