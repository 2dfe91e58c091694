import { spawn } from 'node:child_process';
import { backendMessageSchema } from '../../agent/protocol/messages';
import { RawChannel } from '../backend/testing/rawChannel';
import { recordExchanges, type ExchangeRecording } from './exchangeRecording';
import { replyStubArgs, startReplyStub, type ReplyStub } from './replyStubProcess';
import { replyKey } from './replyTable';

/** The stub backend in its own process, answering a table recorded from the real backend. */
describe('replyStub', () => {
  let recording: ExchangeRecording;
  let stub: ReplyStub;
  let channel: RawChannel;
  beforeAll(async () => {
    recording = await recordExchanges();
    stub = await startReplyStub(recording.replies);
  });
  beforeEach(async () => {
    channel = await RawChannel.open(stub.channelUrl);
  });
  afterEach(() => channel.close());
  afterAll(() => stub?.stop());

  test('answers each recorded request with the reply of its kind, carrying its own requestId', async () => {
    const requests = recording.requests.filter((request) => request.type !== 'stateReport');
    expect(requests.length).toBeGreaterThan(0);
    for (const [index, request] of requests.entries()) {
      const requestId = `own-${index}`;
      expect(await channel.request({ ...request, requestId })).toEqual({
        ...recording.replies[replyKey(request)],
        requestId,
      });
    }
  });

  test('a state report gets no answer: the next frame is the answer to the request after it', async () => {
    const report = recording.requests.find((request) => request.type === 'stateReport')!;
    channel.sendRaw(JSON.stringify(report));
    expect(await channel.request({ type: 'signIn', upn: 'someone@contoso.com', requestId: 'after' })).toEqual(
      {
        ...recording.replies.signIn,
        requestId: 'after',
      },
    );
  });

  test.each([
    [{ type: 'factoryReset', requestId: 'reset-1' }, 'factoryReset'],
    [
      { type: 'completeStage', stage: 'adminProvisioned', requestId: 'stage-1' },
      'completeStage:adminProvisioned',
    ],
  ])('%j, a kind it has no reply for, gets the backend error frame unknownType', async (request, kind) => {
    const reply = await channel.request(request);
    expect(reply).toEqual({
      type: 'error',
      requestId: request.requestId,
      code: 'unknownType',
      message: expect.stringContaining(`no recorded reply to ${kind}`),
    });
    // The shape the real backend's errors have, so a device channel client reads it as one.
    expect(backendMessageSchema.safeParse(reply).success).toBe(true);
  });

  test('its CPU time so far grows as it answers', async () => {
    const before = await stub.cpuMs();
    for (let index = 0; index < 200; index += 1) await channel.request({ type: 'factoryReset' });
    expect(await stub.cpuMs()).toBeGreaterThan(before);
  });
});

describe('replyStub refuses a malformed reply table', () => {
  const withTable = (line: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, replyStubArgs(), { stdio: 'pipe' });
      const printed = { stdout: '', stderr: '' };
      child.stdout.on('data', (chunk: Buffer) => (printed.stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (printed.stderr += chunk.toString()));
      child.once('close', (code) => resolve({ code, ...printed }));
      child.stdin.write(`${line}\n`);
    });

  test.each([
    ['not JSON', '{"hello":', /^replyStub: the reply table on stdin is not JSON: [^\n]+\n$/],
    [
      'a reply that is no backend message',
      JSON.stringify({ hello: { type: 'helloAck', requestId: 'r1', record: 'none' } }),
      /^replyStub: the reply table on stdin is not one: hello\.record: [^\n]+\n$/,
    ],
    ['not a table', '[1, 2]', /^replyStub: the reply table on stdin is not one: table: [^\n]+\n$/],
  ])('%s: one line on stderr, exit 2, no port', async (_what, line, message) => {
    const ended = await withTable(line);
    expect(ended.code).toBe(2);
    expect(ended.stdout).toBe('');
    expect(ended.stderr).toMatch(message);
  });

  test('startReplyStub rejects with that line', async () => {
    await expect(startReplyStub({ hello: { type: 'hello' } } as never)).rejects.toThrow(
      /^the reply stub exited \(2\): replyStub: the reply table on stdin is not one: hello\.type: [^\n]+$/,
    );
  });
});
