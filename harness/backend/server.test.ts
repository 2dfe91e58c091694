import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fixedClock } from './clock';
import { isLoopbackHost } from './options';
import { startBackend, type RunningBackend } from './server';
import { GraphTestClient, PROFILES } from './testing/graphTestClient';
import { RawChannel } from './testing/rawChannel';

const KEY = 'test-admin-key-0123456789';

describe('admin key', () => {
  let backend: RunningBackend;
  beforeAll(async () => {
    backend = await startBackend({ adminKey: KEY });
  });
  afterAll(() => backend.close());

  it('answers 401 in Graph shape without the key or with a wrong one, and serves with it', async () => {
    const anonymous = new GraphTestClient(backend.url);
    const none = await anonymous.get(PROFILES);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      error: {
        code: 'InvalidAuthenticationToken',
        message: expect.stringContaining('Authorization: Bearer'),
        innerError: { 'request-id': expect.any(String), date: expect.any(String) },
      },
    });
    expect((await anonymous.get('/simulator/ledger')).status).toBe(401);
    expect((await anonymous.get('/beta/nothing-here')).status).toBe(401);
    expect((await anonymous.get('/simulator/health')).body).toEqual({ status: 'ok' });
    expect((await new GraphTestClient(backend.url, KEY).get(PROFILES)).status).toBe(200);
  });

  it('answers 429 with Retry-After once a client keeps sending wrong keys, even to the right key', async () => {
    const strict = await startBackend({
      adminKey: KEY,
      adminAuthLimit: { maxFailures: 3, windowMs: 60_000 },
    });
    try {
      const guesser = new GraphTestClient(strict.url, 'wrong-key-wrong-key-wrong');
      for (let i = 0; i < 3; i += 1) expect((await guesser.get(PROFILES)).status).toBe(401);
      const limited = await guesser.get(PROFILES);
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('TooManyRequests');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // A right guess must not be told apart from a wrong one while limited.
      expect((await new GraphTestClient(strict.url, KEY).get(PROFILES)).status).toBe(429);
    } finally {
      await strict.close();
    }
  });

  it('does not ask devices for the admin key', async () => {
    const channel = await RawChannel.open(backend.channelUrl);
    expect(await channel.hello('KEYLESS1')).toMatchObject({ type: 'helloAck' });
    await channel.close();
  });
});

describe('request handling', () => {
  let backend: RunningBackend;
  let admin: GraphTestClient;
  beforeAll(async () => {
    backend = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
    admin = GraphTestClient.for(backend);
  });
  afterAll(() => backend.close());

  it('answers malformed JSON with one 400 line', async () => {
    const response = await admin.request('POST', PROFILES, '{"displayName": "x",');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('BadRequest');
    expect(response.body.error.message).toMatch(/^The request body is not valid JSON: /);
    expect(response.body.error.message).not.toContain('\n');
  });

  it('answers bodies over 64 KiB with 413', async () => {
    const response = await admin.post(PROFILES, {
      displayName: 'x',
      enrollmentMode: 'corporateOwnedFullyManaged',
      description: 'd'.repeat(70 * 1024),
    });
    expect(response.status).toBe(413);
    expect(response.body.error).toMatchObject({
      code: 'RequestEntityTooLarge',
      message: 'the request body is larger than 65536 bytes',
    });
  });

  it('answers non-JSON bodies with 415 and unknown routes with 404, both in Graph shape', async () => {
    const text = await admin.request('POST', PROFILES, 'displayName=x', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('UnsupportedMediaType');
    const missing = await admin.get('/beta/deviceManagement/windowsAutopilotDeviceIdentities');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({
      code: 'ResourceNotFound',
      message: 'no route GET /beta/deviceManagement/windowsAutopilotDeviceIdentities',
    });
  });

  it('moves the clock on request and validates the body', async () => {
    const before = (await admin.get('/simulator/clock')).body;
    expect(before.offsetSeconds).toBe(0);
    expect((await admin.post('/simulator/clock', { advanceSeconds: 90 })).body.offsetSeconds).toBe(90);
    expect((await admin.post('/simulator/clock', { now: '2030-01-01T00:00:00Z' })).body.now).toBe(
      '2030-01-01T00:00:00.000Z',
    );
    expect(backend.clock.now()).toBe(Date.parse('2030-01-01T00:00:00Z'));
    const bad = await admin.post('/simulator/clock', { advanceSeconds: 'soon' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/advanceSeconds/);
  });

  it('closes device connections with 1001 when it closes', async () => {
    const other = await startBackend();
    const channel = await RawChannel.open(other.channelUrl);
    await other.close();
    expect((await channel.closed).code).toBe(1001);
    await other.close();
  });
});

describe('startBackend options', () => {
  it('refuses a non-loopback host without an admin key', async () => {
    await expect(startBackend({ host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'ADMIN_KEY_REQUIRED',
      message: 'listening on 0.0.0.0 (not loopback) needs an admin key (--admin-key)',
    });
  });

  it('refuses bad options with one line each', async () => {
    await expect(startBackend({ adminKey: 'short' })).rejects.toMatchObject({
      code: 'BACKEND_OPTIONS_INVALID',
      message: expect.stringContaining('at least 16 characters'),
    });
    await expect(startBackend({ timeZone: 'Mars/Olympus' })).rejects.toMatchObject({
      code: 'INVALID_TIME_ZONE',
    });
    await expect(startBackend({ nameTemplates: { staged: 'Staging_{UPN}' } })).rejects.toMatchObject({
      code: 'NAME_TEMPLATE_INVALID',
    });
    await expect(startBackend({ port: 70_000 })).rejects.toMatchObject({ code: 'BACKEND_OPTIONS_INVALID' });
    await expect(startBackend({ dbPath: '/nonexistent-dir/x.db' })).rejects.toMatchObject({
      code: 'DB_OPEN_FAILED',
    });
    await expect(startBackend({ tenantDomains: ['contoso'] })).rejects.toMatchObject({
      code: 'BACKEND_OPTIONS_INVALID',
      message: 'backend option tenantDomains.0: a domain such as contoso.com',
    });
  });

  it('reports a busy port as LISTEN_FAILED', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as AddressInfo;
      await expect(startBackend({ port })).rejects.toMatchObject({ code: 'LISTEN_FAILED' });
    } finally {
      blocker.close();
    }
  });

  it('knows loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.2', 'example.com', '128.0.0.1'])
      expect(isLoopbackHost(host)).toBe(false);
  });
});
