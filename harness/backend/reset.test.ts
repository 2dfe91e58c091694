import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isStagesimError } from '../../agent/errors';
import { fixedClock } from './clock';
import { CONSOLE_API } from './http/routes/console';
import { startBackend, type RunningBackend } from './server';
import {
  GraphTestClient,
  PROFILES,
  assignLockdownThroughFilter,
  createProfile,
  type Json,
  createAssignmentFilter,
} from './testing/graphTestClient';
import { RawChannel } from './testing/rawChannel';

/** @odata.context names the backend's port; everything else must be what a new backend answers. */
const withoutContext = ({ '@odata.context': _context, ...body }: Record<string, unknown>) => body;

/** What a harness reads of a backend: every listing the admin API and the console serve. */
const LISTINGS = [
  PROFILES,
  '/beta/deviceManagement/managedDevices',
  '/beta/deviceManagement/assignmentFilters',
  '/beta/groups',
  '/beta/deviceManagement/deviceConfigurations',
  '/beta/deviceAppManagement/mobileApps',
  '/simulator/ledger',
  `${CONSOLE_API}/devices`,
  `${CONSOLE_API}/model/counts`,
];

async function listings(backend: RunningBackend): Promise<Record<string, Json>> {
  const admin = GraphTestClient.for(backend);
  const answers: Record<string, Json> = {};
  for (const path of LISTINGS) {
    const response = await admin.get(path);
    expect(response.status).toBe(200);
    answers[path] = withoutContext(response.body);
  }
  return answers;
}

/** The backend's own series from a scrape (the process's CPU and memory are not the backend's). */
async function backendSeries(backend: RunningBackend): Promise<string[]> {
  const { text } = await backend.metrics.scrape();
  return text
    .split('\n')
    .filter((line) => line.startsWith('stagesim_backend_') && !line.startsWith('stagesim_backend_process'))
    .filter((line) => !/^stagesim_backend_(nodejs|heap)/.test(line));
}

/** Stage 1 and a device through every stage: every kind of row the backend keeps. */
async function fill(backend: RunningBackend, serialNumber: string): Promise<void> {
  const admin = GraphTestClient.for(backend);
  const profile = await createProfile(admin, { displayName: 'Forgotten' });
  const filter = await createAssignmentFilter(admin, 'All Pixels', 'device.model -startsWith "Pixel"');
  await admin.post('/beta/groups', {
    displayName: 'Staff',
    'members@odata.bind': ['https://graph.microsoft.com/v1.0/users/john@contoso.com'],
  });
  await assignLockdownThroughFilter(admin, filter.id);
  await admin.post('/simulator/clock', { advanceSeconds: 3600 });
  const channel = await RawChannel.open(backend.channelUrl);
  await channel.hello(serialNumber);
  channel.sendRaw(
    JSON.stringify({
      type: 'stateReport',
      device: { serialNumber, manufacturer: 'Google', model: 'Pixel 8', osVersion: '14' },
      state: 'outOfBox',
      values: {},
    }),
  );
  expect(
    await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' }),
  ).toMatchObject({ type: 'tokenAccepted' });
  await channel.request({ type: 'completeStage', stage: 'staged' });
  await channel.request({ type: 'signIn', upn: 'john@contoso.com' });
  await channel.request({ type: 'completeStage', stage: 'enrolled' });
  // A wrong token: the redemption limit counts it against the serial number.
  await channel.request({ type: 'redeemToken', token: 'NOT-A-TOKEN', method: 'typed' });
  await channel.close();
}

describe('a backend reset', () => {
  // The reference is a backend started afresh: after a reset every listing, the ledger, the console and
  // the metrics must answer as that one does.
  it('leaves the backend answering every listing, the console and the metrics as a new backend does', async () => {
    const used = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
    const fresh = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
    try {
      await fill(used, 'RESET-1');
      const before = await listings(used);
      expect(before[PROFILES].value).toHaveLength(1);
      expect(before['/simulator/ledger'].value.length).toBeGreaterThan(0);
      expect(before[`${CONSOLE_API}/devices`].total).toBe(1);
      expect(await backendSeries(used)).not.toEqual(await backendSeries(fresh));

      await used.reset();

      // Scraped first: the listings below are timed requests of their own.
      expect(await backendSeries(used)).toEqual(await backendSeries(fresh));
      expect(await listings(used)).toEqual(await listings(fresh));
      expect((await GraphTestClient.for(used).get('/simulator/clock')).body).toEqual(
        (await GraphTestClient.for(fresh).get('/simulator/clock')).body,
      );
    } finally {
      await used.close();
      await fresh.close();
    }
  });

  it('lets the same device enroll again from the start, numbered as in a new backend', async () => {
    const used = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
    const fresh = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
    try {
      await fill(used, 'RESET-2');
      await used.reset();
      for (const backend of [used, fresh]) await fill(backend, 'RESET-2');
      const strip = (answers: Record<string, Json>) =>
        (answers['/simulator/ledger'].value as Json[]).map(
          ({ managedDeviceId: _id, tokenId: _t, ...e }) => e,
        );
      // Same sequence numbers and stages; ids are new UUIDs in both.
      expect(strip(await listings(used))).toEqual(strip(await listings(fresh)));
      expect(strip(await listings(used))[0]).toMatchObject({ seq: 1, serialNumber: 'RESET-2' });
    } finally {
      await used.close();
      await fresh.close();
    }
  });

  it('cuts the device connections open at the time, and takes new ones', async () => {
    const backend = await startBackend();
    try {
      const admin = GraphTestClient.for(backend);
      const profile = await createProfile(admin, { displayName: 'Before the reset' });
      const channel = await RawChannel.open(backend.channelUrl);
      await channel.hello('RESET-3');
      await backend.reset();
      // Cut without a closing handshake (1006), as a device sees a backend that went away.
      expect((await channel.closed).code).toBe(1006);
      expect(backend.channel.connectionCount()).toBe(0);

      const again = await RawChannel.open(backend.channelUrl);
      try {
        // As a device the backend never saw: registered, nothing recorded.
        expect((await again.hello('RESET-3')).record).toBeNull();
        // The token of before the reset is one the backend never issued.
        expect(
          await again.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' }),
        ).toMatchObject({ type: 'tokenRejected', reason: 'unknown' });
      } finally {
        await again.close();
      }
    } finally {
      await backend.close();
    }
  });

  it('keeps the database file and its schema, emptied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stagesim-reset-'));
    const dbPath = join(dir, 'backend.db');
    try {
      const first = await startBackend({ dbPath });
      await fill(first, 'RESET-4');
      await first.reset();
      const version = first.store.schemaVersion();
      await first.close();
      const second = await startBackend({ dbPath });
      try {
        expect(second.store.schemaVersion()).toBe(version);
        const answers = await listings(second);
        expect(answers[PROFILES].value).toEqual([]);
        expect(answers['/beta/deviceManagement/managedDevices'].value).toEqual([]);
        expect(answers['/simulator/ledger'].value).toEqual([]);
        expect(answers[`${CONSOLE_API}/devices`].total).toBe(0);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is refused once the backend is closed, and stops if it closes while connections are cut', async () => {
    const backend = await startBackend();
    await backend.close();
    const error = await backend.reset().catch((caught: unknown) => caught);
    expect(isStagesimError(error) && error.code).toBe('BACKEND_CLOSED');

    const closing = await startBackend();
    const channel = await RawChannel.open(closing.channelUrl);
    await channel.hello('RESET-5');
    const resetting = closing.reset().catch((caught: unknown) => caught);
    await closing.close();
    expect(isStagesimError(await resetting) && ((await resetting) as { code: string }).code).toBe(
      'BACKEND_CLOSED',
    );
  });
});

describe('POST /simulator/reset', () => {
  it('answers 204 and forgets everything; a body with anything in it is a 400 that changes nothing', async () => {
    const backend = await startBackend();
    try {
      const admin = GraphTestClient.for(backend);
      await createProfile(admin, { displayName: 'Kept by a bad reset' });
      const refused = await admin.post('/simulator/reset', { keepProfiles: true });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/^Invalid request body: .*keepProfiles/);
      expect((await admin.get(PROFILES)).body.value).toHaveLength(1);

      expect((await admin.post('/simulator/reset')).status).toBe(204);
      expect((await admin.get(PROFILES)).body.value).toEqual([]);
      expect((await admin.post('/simulator/reset', {})).status).toBe(204);
    } finally {
      await backend.close();
    }
  });

  it('needs the admin key, as every route but health does', async () => {
    const backend = await startBackend({ adminKey: 'reset-admin-key-0123' });
    try {
      await createProfile(GraphTestClient.for(backend, 'reset-admin-key-0123'), { displayName: 'Guarded' });
      expect((await GraphTestClient.for(backend).post('/simulator/reset')).status).toBe(401);
      expect(
        (await GraphTestClient.for(backend, 'reset-admin-key-0123').get(PROFILES)).body.value,
      ).toHaveLength(1);
      expect(
        (await GraphTestClient.for(backend, 'reset-admin-key-0123').post('/simulator/reset')).status,
      ).toBe(204);
      expect((await GraphTestClient.for(backend, 'reset-admin-key-0123').get(PROFILES)).body.value).toEqual(
        [],
      );
    } finally {
      await backend.close();
    }
  });
});
