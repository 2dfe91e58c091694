import fc from 'fast-check';
import { DeviceChannelClient } from '../../agent/channel/DeviceChannelClient';
import { MAX_FRAME_BYTES, backendMessageSchema, channelErrorCodeSchema } from '../../agent/protocol/messages';
import { fixedClock } from '../backend/clock';
import { startBackend, type RunningBackend } from '../backend/server';
import { GraphTestClient, createProfile } from '../backend/testing/graphTestClient';
import { FrameProbe, type ProbeAnswer } from './testing/frameProbe';
import { heapAfterGc } from './testing/heap';

/**
 * Property-based fuzzing of the device channel: whatever a client sends, the backend answers each frame
 * with exactly one typed reply (an error for anything malformed) or, for a frame over the size limit,
 * closes that one connection; it never crashes, its memory stays bounded, and valid traffic afterwards
 * still works. Many cases run on one connection, since a malformed frame must not spoil it.
 */
const TYPES = ['hello', 'redeemToken', 'completeStage', 'signIn', 'factoryReset'] as const;
const SEED = 20240622;

let backend: RunningBackend;
let token: string;
/** Cases run, for the README's figures (printed once at the end). */
let cases = 0;

beforeAll(async () => {
  backend = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
  token = (await createProfile(GraphTestClient.for(backend), { displayName: 'Fuzzed staging' })).tokenValue;
});
afterAll(async () => {
  await backend.close();
  if (process.env.STAGESIM_FIGURES) process.stdout.write(`channel fuzz cases: ${cases}\n`);
});

type Frame = { kind: string; data: string | Buffer; binary: boolean };
const text =
  (kind: string) =>
  (data: string): Frame => ({ kind, data, binary: false });

/** Any JSON-ish value a broken client might put in a field. */
const junk = fc.oneof(
  fc.anything({ maxDepth: 3, maxKeys: 4 }),
  fc.string({ maxLength: 80 }),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.double(),
);

const malformedJson = fc
  .oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'grapheme', maxLength: 120 }),
    fc.json({ maxDepth: 3 }).map((json) => json.slice(0, Math.max(1, json.length - 1))),
    fc.string({ maxLength: 60 }).map((tail) => `{"type":"hello","requestId":"x",${tail}`),
    fc.constantFrom(
      '',
      ' ',
      'null',
      '[]',
      '{}',
      '"hello"',
      '{"type":null}',
      '{"type":"__proto__"}',
      '{"type":"constructor","requestId":"x"}',
      '{"__proto__":{"type":"hello"}}',
    ),
  )
  .map(text('malformed'));

const wrongTypes = fc
  .record(
    {
      type: fc.constantFrom(...TYPES),
      requestId: fc.oneof(fc.string({ maxLength: 90 }), junk),
      token: junk,
      method: fc.oneof(fc.constantFrom('qr', 'manual'), junk),
      stage: fc.oneof(fc.constantFrom('staged', 'adminProvisioned', 'enrolled', 'tokenCreated'), junk),
      upn: fc.oneof(fc.emailAddress(), junk),
      device: fc.oneof(
        junk,
        fc.record(
          {
            serialNumber: fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{1,70}$/), junk),
            manufacturer: junk,
            model: junk,
            osVersion: fc.oneof(fc.constantFrom('7.1', '14', '8'), junk),
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: ['type'] },
  )
  .map((message) => JSON.stringify(message))
  .map(text('wrongTypes'));

const unknownTypes = fc
  .record({
    type: fc.string({ maxLength: 100 }).filter((type) => !(TYPES as readonly string[]).includes(type)),
    requestId: fc.string({ minLength: 1, maxLength: 64 }),
  })
  .map((message) => JSON.stringify(message))
  .map(text('unknownType'));

const binaryFrames = fc
  .uint8Array({ maxLength: 2048 })
  .map((bytes): Frame => ({ kind: 'binary', data: Buffer.from(bytes), binary: true }));

/** Each message type's own fields (others are ignored, as zod objects strip unknown keys). */
const FIELDS: Record<(typeof TYPES)[number], string[]> = {
  hello: ['requestId', 'type', 'serialNumber', 'manufacturer', 'model', 'osVersion'],
  redeemToken: ['requestId', 'type', 'token', 'method'],
  completeStage: ['requestId', 'type', 'stage'],
  signIn: ['requestId', 'type'],
  factoryReset: ['requestId', 'type'],
};

/** Strings far past every field's limit, still inside the frame limit. */
const longStrings = fc
  .constantFrom(...TYPES)
  .chain((type) =>
    fc.tuple(
      fc.constant(type),
      fc.constantFrom(...FIELDS[type]),
      fc.integer({ min: 65, max: MAX_FRAME_BYTES - 200 }),
      fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
    ),
  )
  .map(([type, field, length, char]) => {
    const long = char.repeat(length);
    const message: Record<string, unknown> = {
      type,
      requestId: 'long',
      token: 'T',
      method: 'qr',
      stage: 'staged',
      upn: 'a@contoso.com',
      device: { serialNumber: 'S1', manufacturer: 'M', model: 'M', osVersion: '14' },
    };
    if (['serialNumber', 'manufacturer', 'model', 'osVersion'].includes(field))
      (message.device as Record<string, unknown>)[field] = long;
    else message[field] = long;
    return JSON.stringify(message);
  })
  .filter((json) => Buffer.byteLength(json) <= MAX_FRAME_BYTES)
  .map(text('longString'));

/** Arrays and objects nested as deep as the frame limit allows, where a string or an object belongs. */
const deepNesting = fc
  .tuple(
    fc.integer({ min: 1, max: Math.floor((MAX_FRAME_BYTES - 100) / 6) }),
    fc.constantFrom('[', '{"a":'),
    fc.constantFrom('device', 'token', 'requestId', 'type'),
  )
  .map(([depth, open, field]) => {
    const close = open === '[' ? ']' : '}';
    const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
    return `{"type":"hello","requestId":"deep","${field}":${nested}}`.replace(
      `"type":"hello","requestId":"deep","type":`,
      '"requestId":"deep","type":',
    );
  })
  .filter((json) => Buffer.byteLength(json) <= MAX_FRAME_BYTES)
  .map(text('deepNesting'));

const anyFrame = fc.oneof(
  { arbitrary: malformedJson, weight: 3 },
  { arbitrary: wrongTypes, weight: 5 },
  { arbitrary: unknownTypes, weight: 2 },
  { arbitrary: binaryFrames, weight: 1 },
  { arbitrary: longStrings, weight: 1 },
  { arbitrary: deepNesting, weight: 1 },
);

const errorCodes = new Set<string>(channelErrorCodeSchema.options);

/** Problems with the server's answer to one frame; empty when it answered as the protocol says. */
function judge(frame: Frame, answer: ProbeAnswer, pendingBefore: number): string[] {
  if (pendingBefore > 0) return [`${pendingBefore} reply(ies) arrived that no frame asked for`];
  if ('closed' in answer)
    return [
      `the server closed the connection (${answer.closed}) on a ${frame.kind} frame within the size limit`,
    ];
  const parsed = backendMessageSchema.safeParse(answer.reply);
  if (!parsed.success)
    return [`the reply is not a backend message: ${JSON.stringify(answer.reply).slice(0, 200)}`];
  const reply = parsed.data;
  if (reply.type === 'error' && !errorCodes.has(reply.code)) return [`unknown error code ${reply.code}`];
  if (reply.type === 'error' && reply.code === 'internalError')
    return [`the backend failed on the frame: ${reply.message}`];
  if (frame.binary && !(reply.type === 'error' && reply.code === 'binaryNotSupported'))
    return [`a binary frame was answered ${reply.type}`];
  if (!frame.binary && frame.kind !== 'wrongTypes' && frame.kind !== 'malformed' && reply.type !== 'error')
    return [`a ${frame.kind} frame was accepted: ${reply.type}`];
  return [];
}

/** Valid traffic on a fresh connection, through the real device client: hello and a token redemption. */
async function validTrafficWorks(serialNumber: string): Promise<void> {
  const client = new DeviceChannelClient({
    url: backend.url,
    retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
  try {
    expect(
      await client.hello({ serialNumber, manufacturer: 'Google', model: 'Pixel 8', osVersion: '14' }),
    ).toBeNull();
    expect(await client.redeemToken(token, 'qr')).toMatchObject({
      type: 'tokenAccepted',
      tokenType: 'deviceStaging',
    });
  } finally {
    await client.close();
  }
}

describe('the device channel under fuzzing', () => {
  test('answers every malformed, mistyped, unknown, binary, long or deeply nested frame with one typed reply, on one connection', async () => {
    const probe = await FrameProbe.open(backend.channelUrl);
    const heapBefore = heapAfterGc();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(anyFrame, async (frame) => {
        runs += 1;
        const pending = probe.pending();
        const problems = judge(frame, await probe.exchange(frame.data, frame.binary), pending);
        if (problems.length > 0) throw new Error(problems.join('; '));
      }),
      { numRuns: 3000, seed: SEED },
    );
    cases += runs;
    // The connection still serves a device once it says hello.
    const answer = await probe.exchange(
      JSON.stringify({
        type: 'hello',
        requestId: 'after-fuzz',
        device: { serialNumber: 'FUZZ-AFTER', manufacturer: 'Google', model: 'Pixel 8', osVersion: '14' },
      }),
    );
    expect(answer).toMatchObject({ reply: { type: 'helloAck', requestId: 'after-fuzz' } });
    probe.close();
    // Nothing a connection sent is kept once it is answered: a few MB at most, whatever the count.
    expect(heapAfterGc() - heapBefore).toBeLessThan(16 * 1024 * 1024);
    await validTrafficWorks('FUZZ-VALID-1');
  }, 60_000);

  test('closes only the connection that sends a frame over the limit (1009); the others go on', async () => {
    const bystander = await FrameProbe.open(backend.channelUrl);
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: MAX_FRAME_BYTES + 1, max: 4 * MAX_FRAME_BYTES }),
        fc.boolean(),
        async (size, binary) => {
          runs += 1;
          const sender = await FrameProbe.open(backend.channelUrl, { maxPayload: 0 });
          const answer = await sender.exchange(
            binary ? Buffer.alloc(size, 7) : `{"type":"hello","requestId":"${'x'.repeat(size)}"}`,
            binary,
          );
          expect(answer).toEqual({ closed: 1009 });
          expect(await bystander.exchange('{"type":"factoryReset","requestId":"still-here"}')).toMatchObject({
            reply: { type: 'error', code: 'notRegistered', requestId: 'still-here' },
          });
        },
      ),
      { numRuns: 40, seed: SEED },
    );
    cases += runs;
    bystander.close();
    await validTrafficWorks('FUZZ-VALID-2');
  }, 60_000);

  test('answers a flood of frames sent without waiting, in order, one reply each, and stays bounded', async () => {
    const flood = await FrameProbe.open(backend.channelUrl);
    const heapBefore = heapAfterGc();
    const frames = fc.sample(anyFrame, { numRuns: 3000, seed: SEED + 1 });
    for (const frame of frames) flood.send(frame.data, frame.binary);
    flood.send(JSON.stringify({ type: 'factoryReset', requestId: 'flood-end' }));
    const answers: ProbeAnswer[] = [];
    for (let i = 0; i <= frames.length; i += 1) answers.push(await flood.next());
    cases += frames.length;
    expect(answers.filter((answer) => 'closed' in answer)).toEqual([]);
    // Fuzzed frames may have introduced a device on this connection: any answer will do, if it is this one's.
    expect(answers.at(-1)).toMatchObject({ reply: { requestId: 'flood-end' } });
    const problems = frames.flatMap((frame, index) =>
      judge(frame, answers[index]!, 0).map((problem) => `frame ${index} (${frame.kind}): ${problem}`),
    );
    expect(problems).toEqual([]);
    flood.close();
    expect(heapAfterGc() - heapBefore).toBeLessThan(16 * 1024 * 1024);
    await validTrafficWorks('FUZZ-VALID-3');
  }, 60_000);
});
