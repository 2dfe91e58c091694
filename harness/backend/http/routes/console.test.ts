import { PNG } from 'pngjs';
import { DeviceChannelClient } from '../../../../agent/channel/DeviceChannelClient';
import { SimulatedDevice } from '../../../../agent/device/SimulatedDevice';
import { startBackend, type RunningBackend } from '../../server';
import type { Json } from '../../testing/graphTestClient';
import { RawChannel } from '../../testing/rawChannel';

/**
 * The console's own routes over real HTTP and a real device channel: the devices report paged, sorted
 * and filtered by the server, state reports and what is refused, a tap relayed to a connected device,
 * the change feed, and which routes the admin key guards.
 */

const identity = (serialNumber: string, manufacturer = 'Google') => ({
  serialNumber,
  manufacturer,
  model: 'Pixel 8',
  osVersion: '14',
});

let backend: RunningBackend;
const opened: RawChannel[] = [];

beforeEach(async () => {
  backend = await startBackend();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((channel) => channel.close()));
  await backend.close();
});

async function channel(): Promise<RawChannel> {
  const raw = await RawChannel.open(backend.channelUrl);
  opened.push(raw);
  return raw;
}

const get = async (path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${backend.url}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Json };
};

/** Sends reports, then a hello: its answer arriving next shows the reports got none of their own. */
async function report(raw: RawChannel, reports: Array<Record<string, unknown>>): Promise<void> {
  for (const one of reports) raw.sendRaw(JSON.stringify({ type: 'stateReport', values: {}, ...one }));
  expect((await raw.hello('PROBE')).type).toBe('helloAck');
}

describe('console devices report', () => {
  test('paged, sorted, searched and filtered on the server', async () => {
    const raw = await channel();
    const reports = Array.from({ length: 120 }, (_, i) => ({
      device: identity(`S${String(i).padStart(3, '0')}`),
      state: i % 3 === 0 ? 'setupWizard.welcome' : 'outOfBox',
    }));
    await report(raw, reports);

    const first = await get('/console/api/devices?sort=name&order=asc&limit=50');
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(120);
    expect(first.body.value).toHaveLength(50);
    expect(first.body.value[0]).toMatchObject({
      name: 'S000',
      stage: 'notRecorded',
      modelState: 'setupWizard.welcome',
    });
    const last = await get('/console/api/devices?sort=name&order=asc&limit=50&offset=100');
    expect(last.body.value.map((row: { name: string }) => row.name)).toEqual(
      Array.from({ length: 20 }, (_, i) => `S${100 + i}`),
    );
    const descending = await get('/console/api/devices?sort=name&order=desc&limit=1');
    expect(descending.body.value[0].name).toBe('S119');

    const welcome = await get('/console/api/devices?state=setupWizard.welcome&limit=200');
    expect(welcome.body.total).toBe(40);
    expect(welcome.body.value.every((row: { screenTitle: string }) => row.screenTitle !== null)).toBe(true);
    const search = await get('/console/api/devices?search=s11');
    expect(search.body.total).toBe(10);

    const counts = await get('/console/api/model/counts');
    expect(counts.body.devices).toBe(120);
    expect(counts.body.counts['setupWizard.welcome']).toBe(40);
    expect(counts.body.counts.outOfBox).toBe(80);
    // A device that moves is counted in its new state only.
    await report(raw, [{ device: identity('S000'), state: 'setupWizard.language' }]);
    const moved = await get('/console/api/model/counts');
    expect(moved.body.counts['setupWizard.welcome']).toBe(39);
    expect(moved.body.counts['setupWizard.language']).toBe(1);
  });

  test('bad queries are one-line 400s naming the field', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['sort=colour', 'sort'],
      ['stage=stage2', 'stage'],
      ['offset=-1', 'offset'],
      ['page=2', ''],
    ] as const) {
      const answer = await get(`/console/api/devices?${query}`);
      expect({ query, status: answer.status, code: answer.body.error.code }).toEqual({
        query,
        status: 400,
        code: 'BadRequest',
      });
      expect(answer.body.error.message).toMatch(new RegExp(`^Invalid query: ${field}`));
      expect(answer.body.error.message).not.toContain('\n');
    }
  });
});

describe('state reports', () => {
  test('a malformed or unknown report is answered with invalidMessage, and the connection stays usable', async () => {
    const raw = await channel();
    raw.sendRaw(
      JSON.stringify({ type: 'stateReport', device: identity('BAD1'), state: 'nowhere', values: {} }),
    );
    expect(await raw.next()).toMatchObject({
      type: 'error',
      code: 'invalidMessage',
      message: 'state: "nowhere" is not a state of the device model',
    });
    raw.sendRaw(
      JSON.stringify({
        type: 'stateReport',
        device: { serialNumber: 'BAD2' },
        state: 'outOfBox',
        values: {},
      }),
    );
    expect(await raw.next()).toMatchObject({
      type: 'error',
      code: 'invalidMessage',
      message: expect.stringMatching(/^device\./),
    });
    raw.sendRaw(
      JSON.stringify({ type: 'stateReport', device: identity('BAD3'), state: 'outOfBox', values: { x: 1 } }),
    );
    expect(await raw.next()).toMatchObject({
      type: 'error',
      code: 'invalidMessage',
      message: expect.stringMatching(/^values\.x/),
    });
    expect((await raw.hello('BAD1')).type).toBe('helloAck');
    expect((await get('/console/api/devices')).body.total).toBe(0);
  });
});

describe('console taps', () => {
  test('relayed to the connected device, which takes the event its screen gives the element', async () => {
    const device = new SimulatedDevice({
      profile: identity('TAP1', 'Samsung'),
      service: new DeviceChannelClient({ url: backend.url }),
    });
    try {
      device.pressPowerButton();
      const press = (key: string, inputs?: Record<string, string>) =>
        fetch(`${backend.url}/console/api/devices/TAP1/press`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(inputs ? { key, inputs } : { key }),
        });
      const waitFor = async (state: string) => {
        for (let i = 0; i < 100 && device.stateName() !== state; i++)
          await new Promise((resolve) => setTimeout(resolve, 20));
        expect(device.stateName()).toBe(state);
      };
      for (let i = 0; i < 100; i++) {
        const answer = await get('/console/api/devices/TAP1');
        if (answer.status === 200 && answer.body.modelState === 'setupWizard.welcome') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const detail = await get('/console/api/devices/TAP1');
      expect(detail.body).toMatchObject({ connected: true, modelState: 'setupWizard.welcome' });
      const start = detail.body.screen.nodes.find((node: { key: string }) => node.key === 'startButton');
      expect(start).toMatchObject({ role: 'button', action: 'START', clickable: true });

      const wrong = await press('signInButton');
      expect(wrong.status).toBe(409);
      expect(((await wrong.json()) as Json).error.message).toBe(
        '"signInButton" is not something to tap on the screen "welcome" device TAP1 shows',
      );
      const shot = await fetch(`${backend.url}/console/api/devices/TAP1/screenshot`);
      expect(shot.headers.get('content-type')).toBe('image/png');
      const png = PNG.sync.read(Buffer.from(await shot.arrayBuffer()));
      expect([png.width, png.height]).toEqual([720, 1600]);
      expect((await press('startButton')).status).toBe(202);
      await waitFor('setupWizard.language');

      const bad = await fetch(`${backend.url}/console/api/devices/TAP1/press`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: 'nextButton', extra: true }),
      });
      expect(bad.status).toBe(400);
      expect((await get('/console/api/devices/NOPE')).status).toBe(404);
    } finally {
      await device.close();
    }
    // Closed: its last report stays, but nothing can be relayed to it.
    const gone = await fetch(`${backend.url}/console/api/devices/TAP1/press`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'nextButton' }),
    });
    expect(gone.status).toBe(409);
    expect(((await gone.json()) as Json).error.message).toBe('device TAP1 is not connected to this backend');
  });
});

describe('change feed', () => {
  test('server-sent events say what changed', async () => {
    const controller = new AbortController();
    const response = await fetch(`${backend.url}/console/api/events`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the feed ended before ${pattern}`);
        text += value;
      }
    };
    await until(/event: hello/);
    const raw = await channel();
    raw.sendRaw(
      JSON.stringify({ type: 'stateReport', device: identity('FEED1'), state: 'outOfBox', values: {} }),
    );
    await until(/event: devices/);
    await fetch(`${backend.url}/beta/groups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Feed group' }),
    });
    await until(/event: admin/);
    controller.abort();
  });
});

describe('with an admin key', () => {
  test('the page and its assets are open, every console route needs the key', async () => {
    const key = 'console-admin-key-0123456789';
    const guarded = await startBackend({ adminKey: key });
    try {
      for (const path of ['/', '/console/app.js', '/console/app.css']) {
        const answer = await fetch(`${guarded.url}${path}`);
        expect({ path, status: answer.status }).toEqual({ path, status: 200 });
        expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
      }
      expect(await (await fetch(`${guarded.url}/console/session`)).json()).toEqual({
        adminKeyRequired: true,
      });
      for (const path of [
        '/console/api/devices',
        '/console/api/model',
        '/console/api/model/counts',
        '/console/api/events',
      ]) {
        expect({ path, status: (await fetch(`${guarded.url}${path}`)).status }).toEqual({
          path,
          status: 401,
        });
      }
      const withKey = await fetch(`${guarded.url}/console/api/model/counts`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(withKey.status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
