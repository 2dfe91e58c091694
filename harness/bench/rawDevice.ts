import pLimit from 'p-limit';
import WebSocket from 'ws';
import { oneLine } from '../../agent/errors';
import type { RecordedRequest } from './exchangeRecording';
import { replyKey, withRequestId, type ReplyTable } from './replyTable';

/**
 * Devices that are only their recorded frames, for the bench's layers: no model and no channel client,
 * what a plain ws peer pays to send and get the fleet's traffic.
 */

/**
 * `devices` devices, `concurrency` at a time (p-limit, as the fleet's shards), each started as one ends.
 * After the first failure the rest are not started; the run answers once the ones in flight are done,
 * with one line naming the device that failed first.
 */
export async function inLanes(
  devices: number,
  concurrency: number,
  device: (index: number) => Promise<void>,
): Promise<number> {
  const limit = pLimit(Math.max(1, concurrency));
  let done = 0;
  let failure: { index: number; error: unknown } | null = null;
  await Promise.all(
    Array.from({ length: devices }, (_, index) =>
      limit(async () => {
        if (failure !== null) return;
        try {
          await device(index);
          done += 1;
        } catch (error) {
          failure ??= { index, error };
        }
      }),
    ),
  );
  if (failure !== null) {
    const { index, error } = failure;
    throw new Error(`device ${index + 1} of ${devices}: ${oneLine(error)}`);
  }
  return done;
}

export interface RawFrame {
  kind: string;
  /** Whether the backend answers it (a request) or not (a state report). */
  answered: boolean;
  /** The type of answer the recorded device got (helloAck, tokenAccepted, ...): any other fails the device. */
  expected: string | null;
  text(requestId: string): string;
}

/** A recorded request as a frame to send again; `replies`: what the recorded device was answered. */
export function rawFrame(request: RecordedRequest, replies: ReplyTable): RawFrame {
  if (request.type === 'stateReport') {
    const text = JSON.stringify(request);
    return { kind: request.type, answered: false, expected: null, text: () => text };
  }
  const kind = replyKey(request);
  return { kind, answered: true, expected: replies[kind]?.type ?? null, text: withRequestId(request) };
}

/**
 * A device that is only its frames: one connection to `peer` (named so in its failures), the frames sent
 * one after another, each request waiting for its answer (which must carry its requestId and be of the
 * type the recorded device got), then closed.
 */
export function rawDevice(url: string, frames: RawFrame[], id: string, peer: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    let next = 0;
    let waiting: { requestId: string; kind: string; expected: string | null } | null = null;
    let failure: Error | null = null;
    const sendOn = () => {
      while (next < frames.length) {
        const frame = frames[next]!;
        next += 1;
        if (frame.answered) {
          waiting = { requestId: `${id}-${next}`, kind: frame.kind, expected: frame.expected };
          socket.send(frame.text(waiting.requestId));
          return;
        }
        socket.send(frame.text(''));
      }
      waiting = null;
      socket.close();
    };
    socket.on('open', sendOn);
    socket.on('message', (data) => {
      let reply: { type?: string; requestId?: string; message?: string };
      try {
        reply = JSON.parse(data.toString()) as typeof reply;
      } catch {
        reply = { type: 'a frame that is not JSON' };
      }
      if (reply.requestId !== waiting?.requestId || reply.type !== waiting?.expected) {
        failure = new Error(
          `${peer} answered ${waiting?.kind} with ${reply.type}${reply.message ? `: ${reply.message}` : ''}`,
        );
        socket.terminate();
        return;
      }
      sendOn();
    });
    socket.on('error', (error) => (failure ??= error));
    socket.on('close', () => {
      if (failure === null && next === frames.length && waiting === null) resolve();
      else reject(failure ?? new Error(`${peer} closed the connection before ${waiting?.kind} was answered`));
    });
  });
}
