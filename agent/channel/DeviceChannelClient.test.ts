import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { fixedClock } from '../../harness/backend/clock';
import { startBackend, type RunningBackend } from '../../harness/backend/server';
import { GraphTestClient, createProfile, type Json } from '../../harness/backend/testing/graphTestClient';
import { DeviceChannelClient, channelUrlOf, deviceChannelClientOptionsSchema } from './DeviceChannelClient';
import { RETRY_BUDGET, waitBounds } from './retryPolicy';

const pixel = (serialNumber: string, osVersion = '14') => ({
  serialNumber,
  manufacturer: 'Google',
  model: 'Pixel 8',
  osVersion,
});
const fastRetry = { attempts: 4, baseDelayMs: 10, maxDelayMs: 50 };

describe('DeviceChannelClient against the real backend', () => {
  let backend: RunningBackend;
  let admin: GraphTestClient;
  let staging: Json;
  const clients: DeviceChannelClient[] = [];
  const client = (options: Partial<ConstructorParameters<typeof DeviceChannelClient>[0]> = {}) => {
    const created = new DeviceChannelClient({ url: backend.url, retry: fastRetry, ...options });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    backend = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
    admin = GraphTestClient.for(backend);
    staging = await createProfile(admin, { displayName: 'Frontline staging' });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => backend.close());

  it('walks a device through staging and sign-in', async () => {
    const service = client();
    expect(await service.hello(pixel('CLIENT1'))).toBeNull();
    const redemption = await service.redeemToken(staging.tokenValue, 'qr');
    expect(redemption).toMatchObject({
      type: 'tokenAccepted',
      tokenType: 'deviceStaging',
      enrollmentMode: 'corporateOwnedFullyManaged',
      profileName: 'Frontline staging',
    });
    const staged = await service.completeStage('staged');
    expect(staged).toEqual({
      record: expect.objectContaining({
        stage: 'staged',
        deviceName: 'Staging_CLIENT1_AndroidEnterprise_06/22/2024_4.20 AM',
        userPrincipalName: null,
      }),
      deliveries: { policies: [], apps: [] },
    });
    expect(await service.signIn('nope')).toEqual({ accepted: false, reason: 'invalidUpn' });
    expect(await service.signIn('john@contoso.com')).toEqual({ accepted: true, upn: 'john@contoso.com' });
    expect((await service.completeStage('enrolled')).record.deviceName).toBe(
      'john@contoso.com_AndroidEnterprise_06/22/2024_4.20 AM',
    );
    await service.factoryReset();
    expect((await service.hello(pixel('CLIENT1')))?.stage).toBe('factoryReset');
  });

  it('answers token rejections as values and channel errors as StagesimErrors with stable codes', async () => {
    const service = client();
    await service.hello(pixel('CLIENT2', '7.1'));
    expect(await service.redeemToken(staging.tokenValue, 'qr')).toMatchObject({
      type: 'tokenRejected',
      reason: 'androidTooOld',
    });
    await expect(service.completeStage('staged')).rejects.toMatchObject({
      name: 'StagesimError',
      code: 'STAGE_OUT_OF_ORDER',
    });
    const stranger = client();
    await expect(stranger.redeemToken(staging.tokenValue, 'qr')).rejects.toMatchObject({
      code: 'NOT_REGISTERED',
    });
  });

  it('reconnects after the server drops the socket, saying hello again first', async () => {
    const service = client();
    await service.hello(pixel('CLIENT3'));
    await service.redeemToken(staging.tokenValue, 'qr');
    expect(backend.channel.connectionCount()).toBeGreaterThan(0);
    backend.channel.dropAll();
    // The new connection is a new session: without the automatic hello this would be NOT_REGISTERED.
    expect((await service.completeStage('staged')).record.stage).toBe('staged');
  });

  it('resends a request whose reply was lost with the same requestId, so it is recorded once', async () => {
    let drop = 0;
    const lossy = await startBackend({
      clock: fixedClock('2024-06-22T04:20:00Z'),
      beforeReply: (request) => (request.type === 'completeStage' && drop-- > 0 ? 'drop' : 'send'),
    });
    try {
      const profile = await createProfile(GraphTestClient.for(lossy), {});
      const service = new DeviceChannelClient({ url: lossy.url, retry: fastRetry });
      clients.push(service);
      await service.hello(pixel('CLIENT4'));
      await service.redeemToken(profile.tokenValue, 'qr');
      drop = 2;
      expect((await service.completeStage('staged')).record.stage).toBe('staged');
      const ledger = (await GraphTestClient.for(lossy).get('/simulator/ledger?serialNumber=CLIENT4')).body
        .value;
      expect(ledger.map((entry: Json) => entry.toStage)).toEqual(['tokenCreated', 'staged']);
    } finally {
      await lossy.close();
    }
  });

  it('rejects with NETWORK_UNAVAILABLE once its retry budget is spent', async () => {
    const gone = await startBackend();
    const url = gone.url;
    await gone.close();
    const service = new DeviceChannelClient({ url, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 10 } });
    clients.push(service);
    await expect(service.hello(pixel('CLIENT5'))).rejects.toMatchObject({
      code: 'NETWORK_UNAVAILABLE',
      message: expect.stringContaining('after 3 attempts'),
    });
  });

  it('gives up on a peer that accepts the connection but never answers, one timeout per attempt', async () => {
    // Not the backend: a WebSocket server that swallows every frame, as a wedged proxy would.
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => silent.once('listening', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const service = new DeviceChannelClient({
        url: `http://127.0.0.1:${port}`,
        requestTimeoutMs: 50,
        retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
      });
      clients.push(service);
      await expect(service.hello(pixel('CLIENT6'))).rejects.toMatchObject({
        code: 'NETWORK_UNAVAILABLE',
        message: expect.stringContaining('no answer within 50 ms'),
      });
    } finally {
      for (const socket of silent.clients) socket.terminate();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('counts the messages and payload bytes it sent and received', async () => {
    const service = client();
    expect(service.traffic()).toEqual({ sent: 0, received: 0, bytesSent: 0, bytesReceived: 0 });
    await service.hello(pixel('CLIENT8'));
    await service.redeemToken(staging.tokenValue, 'qr');
    const traffic = service.traffic();
    expect(traffic).toMatchObject({ sent: 2, received: 2 });
    // A hello names the device; a reply carries at least its type and the requestId.
    expect(traffic.bytesSent).toBeGreaterThan(
      JSON.stringify(pixel('CLIENT8')).length + JSON.stringify(staging.tokenValue).length,
    );
    expect(traffic.bytesReceived).toBeGreaterThan('{"type":"helloAck"}{"type":"tokenAccepted"}'.length);
  });

  it('refuses calls after close', async () => {
    const service = client();
    await service.hello(pixel('CLIENT7'));
    await service.close();
    await expect(service.signIn('john@contoso.com')).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });
});

describe('DeviceChannelClient across a backend restart', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stagesim-client-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('carries on where it was once the backend is back on the same port and database', async () => {
    const dbPath = join(dir, 'backend.db');
    const first = await startBackend({ dbPath, clock: fixedClock('2024-06-22T04:20:00Z') });
    const profile = await createProfile(GraphTestClient.for(first), {});
    const service = new DeviceChannelClient({
      url: first.url,
      retry: { attempts: 20, baseDelayMs: 20, maxDelayMs: 100 },
    });
    try {
      await service.hello(pixel('RESTART1'));
      await service.redeemToken(profile.tokenValue, 'qr');
      await service.completeStage('staged');
      await first.close();
      const pending = service.signIn('john@contoso.com');
      const second = await startBackend({
        dbPath,
        port: first.port,
        clock: fixedClock('2024-06-22T04:20:00Z'),
      });
      try {
        expect(await pending).toEqual({ accepted: true, upn: 'john@contoso.com' });
        expect((await service.completeStage('enrolled')).record.stage).toBe('enrolled');
      } finally {
        await second.close();
      }
    } finally {
      await service.close();
    }
  });
});

describe('the default retry budget', () => {
  it('waits at least 7.5 s in all before giving up, so a device rides out a backend restart', () => {
    const { retry } = deviceChannelClientOptionsSchema.parse({ url: 'http://127.0.0.1:1' });
    expect(retry).toEqual(RETRY_BUDGET);
    // The shortest the waits can be: each one scaled by the lowest jitter (50%).
    let least = 0;
    for (let attempt = 1; attempt < retry.attempts; attempt += 1)
      least += Math.min(retry.maxDelayMs, 0.5 * retry.baseDelayMs * 2 ** (attempt - 1));
    expect(least).toBeGreaterThanOrEqual(7_500);
    expect(waitBounds(retry).leastMs).toBe(least);
  });
});

describe('channelUrlOf', () => {
  it('turns a backend URL into the channel URL', () => {
    expect(channelUrlOf('http://127.0.0.1:4000')).toBe('ws://127.0.0.1:4000/device');
    expect(channelUrlOf('https://backend.example/base/')).toBe('wss://backend.example/base/device');
    expect(channelUrlOf('ws://127.0.0.1:4000/device')).toBe('ws://127.0.0.1:4000/device');
    expect(() => channelUrlOf('ftp://x')).toThrow(expect.objectContaining({ code: 'CHANNEL_URL_INVALID' }));
    expect(() => new DeviceChannelClient({ url: 'not a url' })).toThrow(
      expect.objectContaining({ code: 'CHANNEL_URL_INVALID' }),
    );
  });
});
