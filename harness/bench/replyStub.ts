import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { WebSocketServer } from 'ws';
import { oneLine } from '../../agent/errors';
import { DEVICE_CHANNEL_PATH } from '../backend/channel/ChannelServer';
import { replyKey, replyTableSchema, withRequestId } from './replyTable';

/**
 * A backend that costs next to nothing, in a process of its own (started by replyStubProcess.ts): a ws
 * server on a free loopback port at the device channel's path, no compression (the backend's options),
 * that answers every device request with the reply recorded for its kind (replyTable.ts), the request's
 * requestId put in. State reports are not answered, as the real backend does not answer them; a kind it
 * has no reply for gets the backend's error frame (unknownType), so a client fails instead of waiting.
 *
 * Its reply table is the first line on stdin (JSON); then it prints its port on stdout, answers a line
 * "cpu" with its CPU time so far (milliseconds), and exits when stdin ends. A table that is not one: one
 * line on stderr, exit 2.
 */
const fail = (message: string): never => {
  process.stderr.write(`replyStub: ${message}\n`);
  process.exit(2);
};

const errorFrame = (requestId: string | null, code: string, message: string) =>
  JSON.stringify({ type: 'error', requestId, code, message });

function serve(table: unknown): void {
  const parsed = replyTableSchema.safeParse(table);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(
      `the reply table on stdin is not one: ${issue.path.map(String).join('.') || 'table'}: ${oneLine(issue.message)}`,
    );
  }
  const replies = new Map(Object.entries(parsed.data!).map(([key, reply]) => [key, withRequestId(reply)]));
  const known = [...replies.keys()].join(', ');
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: DEVICE_CHANNEL_PATH,
    perMessageDeflate: false,
  });
  server.on('listening', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      let request: { type?: unknown; stage?: unknown; requestId?: unknown } | null;
      try {
        request = JSON.parse(data.toString()) as typeof request;
      } catch {
        socket.send(errorFrame(null, 'invalidJson', 'the frame is not JSON'));
        return;
      }
      if (request?.type === 'stateReport') return;
      const requestId = typeof request?.requestId === 'string' ? request.requestId : null;
      const type = typeof request?.type === 'string' ? request.type : null;
      const reply = type === null ? undefined : replies.get(replyKey({ type, stage: request!.stage }));
      if (requestId === null || type === null)
        socket.send(
          errorFrame(requestId, 'invalidMessage', 'expected a request with a type and a requestId'),
        );
      else if (!reply)
        socket.send(
          errorFrame(
            requestId,
            'unknownType',
            `the stub backend has no recorded reply to ${replyKey({ type, stage: request!.stage })} (it has: ${known})`,
          ),
        );
      else socket.send(reply(requestId));
    });
    socket.on('error', () => undefined);
  });
}

let table: unknown = undefined;
createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (table === undefined) {
      try {
        table = JSON.parse(line);
      } catch (error) {
        fail(`the reply table on stdin is not JSON: ${oneLine(error)}`);
      }
      serve(table);
      return;
    }
    if (line.trim() !== 'cpu') return;
    const cpu = process.cpuUsage();
    process.stdout.write(`${(cpu.user + cpu.system) / 1000}\n`);
  })
  .on('close', () => (table === undefined ? fail('stdin ended before the reply table') : process.exit(0)));
