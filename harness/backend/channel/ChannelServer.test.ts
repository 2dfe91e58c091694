import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_FRAME_BYTES } from '../../../agent/protocol/messages';
import { fixedClock } from '../clock';
import { startBackend, type RunningBackend } from '../server';
import { GraphTestClient, PROFILES, createProfile, type Json } from '../testing/graphTestClient';
import { RawChannel } from '../testing/rawChannel';

let backend: RunningBackend;
let admin: GraphTestClient;
let staging: Json;
let cope: Json;
let fullyManagedDefault: Json;
const open: RawChannel[] = [];

async function device(serialNumber: string, osVersion = '14'): Promise<RawChannel> {
  const channel = await RawChannel.open(backend.channelUrl);
  open.push(channel);
  const ack = await channel.hello(serialNumber, osVersion);
  expect(ack).toMatchObject({ type: 'helloAck' });
  return channel;
}

const ledger = async (serialNumber: string) =>
  (await admin.get(`/simulator/ledger?serialNumber=${serialNumber}`)).body.value;

beforeAll(async () => {
  backend = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
  admin = GraphTestClient.for(backend);
  staging = await createProfile(admin, { displayName: 'Frontline staging' });
  cope = await createProfile(admin, {
    displayName: 'COPE staging',
    enrollmentMode: 'corporateOwnedWorkProfile',
  });
  fullyManagedDefault = await createProfile(admin, {
    displayName: 'COBO default',
    enrollmentTokenType: 'default',
  });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((channel) => channel.close()));
});
afterAll(() => backend.close());

describe('token redemption', () => {
  it('accepts a staging token and a default token, saying which', async () => {
    const a = await device('ACCEPT1');
    expect(
      await a.request({ type: 'redeemToken', requestId: 'a1', token: staging.tokenValue, method: 'qr' }),
    ).toEqual({
      type: 'tokenAccepted',
      requestId: 'a1',
      tokenType: 'deviceStaging',
      enrollmentMode: 'corporateOwnedFullyManaged',
      profileId: staging.id,
      profileName: 'Frontline staging',
    });
    const b = await device('ACCEPT2');
    expect(
      await b.request({ type: 'redeemToken', token: fullyManagedDefault.tokenValue, method: 'manual' }),
    ).toMatchObject({ type: 'tokenAccepted', tokenType: 'default' });
  });

  it('refuses unknown tokens', async () => {
    const channel = await device('UNKNOWN1');
    expect(
      await channel.request({ type: 'redeemToken', token: 'ABCDEFGHJKLMNPQRSTUV', method: 'qr' }),
    ).toMatchObject({ type: 'tokenRejected', reason: 'unknown' });
    expect(
      await channel.request({
        type: 'redeemToken',
        token: staging.tokenValue.toLowerCase(),
        method: 'manual',
      }),
    ).toMatchObject({ reason: 'unknown' });
  });

  it('refuses a token once the backend clock passes its expiry', async () => {
    const profile = await createProfile(admin, { displayName: 'Short-lived' });
    await admin.post(`${PROFILES}/${profile.id}/createToken`, { tokenValidityInSeconds: 60 });
    const token = (await admin.get(`${PROFILES}/${profile.id}`)).body.tokenValue;
    const channel = await device('EXPIRE1');
    expect(await channel.request({ type: 'redeemToken', token, method: 'qr' })).toMatchObject({
      type: 'tokenAccepted',
    });
    expect((await admin.post('/simulator/clock', { advanceSeconds: 60 })).body.offsetSeconds).toBe(60);
    try {
      const late = await device('EXPIRE2');
      expect(await late.request({ type: 'redeemToken', token, method: 'qr' })).toMatchObject({
        type: 'tokenRejected',
        reason: 'expired',
      });
      expect((await admin.get(`${PROFILES}/${profile.id}`)).body.simulatorTokenState).toBe('expired');
    } finally {
      await admin.post('/simulator/clock', { advanceSeconds: -60 });
    }
  });

  it('tells revoked and replaced tokens apart', async () => {
    const profile = await createProfile(admin, { displayName: 'Churn' });
    await admin.post(`${PROFILES}/${profile.id}/createToken`);
    const second = (await admin.get(`${PROFILES}/${profile.id}`)).body.tokenValue;
    await admin.post(`${PROFILES}/${profile.id}/revokeToken`);
    const channel = await device('CHURN1');
    expect(
      await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' }),
    ).toMatchObject({ reason: 'replaced' });
    expect(await channel.request({ type: 'redeemToken', token: second, method: 'qr' })).toMatchObject({
      reason: 'revoked',
    });
  });

  it('refuses shared-mode tokens as the wrong token type and other modes as not allowed', async () => {
    const shared = await createProfile(admin, {
      displayName: 'Shared',
      enrollmentMode: 'corporateOwnedDedicatedDevice',
      enrollmentTokenType: 'corporateOwnedDedicatedDeviceWithAzureADSharedMode',
    });
    const dedicated = await createProfile(admin, {
      displayName: 'Kiosk',
      enrollmentMode: 'corporateOwnedDedicatedDevice',
      enrollmentTokenType: 'default',
    });
    const aosp = await createProfile(admin, {
      displayName: 'AOSP',
      enrollmentMode: 'corporateOwnedAOSPUserlessDevice',
      enrollmentTokenType: 'default',
    });
    const channel = await device('MODES1');
    expect(
      await channel.request({ type: 'redeemToken', token: shared.tokenValue, method: 'qr' }),
    ).toMatchObject({ reason: 'wrongTokenType' });
    expect(
      await channel.request({ type: 'redeemToken', token: dedicated.tokenValue, method: 'qr' }),
    ).toMatchObject({ reason: 'modeNotAllowed' });
    expect(
      await channel.request({ type: 'redeemToken', token: aosp.tokenValue, method: 'qr' }),
    ).toMatchObject({ reason: 'modeNotAllowed' });
  });

  it("refuses Android older than 8, by hello's osVersion", async () => {
    const old = await device('OLD1', '7.1.2');
    expect(await old.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' })).toMatchObject(
      { reason: 'androidTooOld' },
    );
    const oreo = await device('OREO1', '8.0');
    expect(
      await oreo.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' }),
    ).toMatchObject({ type: 'tokenAccepted' });
  });

  it('refuses typed tokens for corporate-owned work profile on Android 11 and later only', async () => {
    const eleven = await device('MANUAL11', '11');
    expect(
      await eleven.request({ type: 'redeemToken', token: cope.tokenValue, method: 'manual' }),
    ).toMatchObject({ reason: 'manualEntryNotSupported' });
    expect(await eleven.request({ type: 'redeemToken', token: cope.tokenValue, method: 'qr' })).toMatchObject(
      { type: 'tokenAccepted' },
    );
    const ten = await device('MANUAL10', '10');
    expect(
      await ten.request({ type: 'redeemToken', token: cope.tokenValue, method: 'manual' }),
    ).toMatchObject({ type: 'tokenAccepted' });
    const fullyManaged = await device('MANUALFM', '14');
    expect(
      await fullyManaged.request({ type: 'redeemToken', token: staging.tokenValue, method: 'manual' }),
    ).toMatchObject({ type: 'tokenAccepted' });
  });

  it('checks in order: an unknown token is unknown even on an old device', async () => {
    const old = await device('ORDER1', '7.0');
    expect(await old.request({ type: 'redeemToken', token: 'NOPE', method: 'manual' })).toMatchObject({
      reason: 'unknown',
    });
  });

  it('rate limits failed redemptions per connection: after 5 failures in a minute, even a good token waits', async () => {
    const guesser = await device('GUESS1');
    for (let i = 0; i < 5; i += 1) {
      expect(
        await guesser.request({ type: 'redeemToken', token: `WRONG${i}`, method: 'manual' }),
      ).toMatchObject({ reason: 'unknown' });
    }
    expect(
      await guesser.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' }),
    ).toMatchObject({ type: 'tokenRejected', reason: 'rateLimited' });

    const neighbour = await device('GUESS2');
    expect(
      await neighbour.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' }),
    ).toMatchObject({ type: 'tokenAccepted' });

    await admin.post('/simulator/clock', { advanceSeconds: 61 });
    try {
      expect(
        await guesser.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' }),
      ).toMatchObject({ type: 'tokenAccepted' });
    } finally {
      await admin.post('/simulator/clock', { advanceSeconds: -61 });
    }
  });

  it('rate limits failed redemptions per serial number too: reconnecting does not start afresh', async () => {
    const first = await device('GUESS3');
    for (let i = 0; i < 3; i += 1)
      expect(
        await first.request({ type: 'redeemToken', token: `WRONG${i}`, method: 'manual' }),
      ).toMatchObject({ reason: 'unknown' });
    await first.close();
    const second = await device('GUESS3');
    for (let i = 3; i < 5; i += 1)
      expect(
        await second.request({ type: 'redeemToken', token: `WRONG${i}`, method: 'manual' }),
      ).toMatchObject({ reason: 'unknown' });
    await second.close();
    const third = await device('GUESS3');
    expect(
      await third.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' }),
    ).toMatchObject({ type: 'tokenRejected', reason: 'rateLimited' });

    // Hopping serials on one connection does not escape the connection's own limit either.
    const hopper = await device('HOP-0');
    for (let i = 0; i < 5; i += 1) {
      await hopper.hello(`HOP-${i}`);
      expect(
        await hopper.request({ type: 'redeemToken', token: `WRONG${i}`, method: 'manual' }),
      ).toMatchObject({ reason: 'unknown' });
    }
    await hopper.hello('HOP-5');
    expect(
      await hopper.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' }),
    ).toMatchObject({ reason: 'rateLimited' });

    await admin.post('/simulator/clock', { advanceSeconds: 61 });
    try {
      expect(
        await third.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' }),
      ).toMatchObject({ type: 'tokenAccepted' });
    } finally {
      await admin.post('/simulator/clock', { advanceSeconds: -61 });
    }
  });

  it('answers notRegistered before hello', async () => {
    const channel = await RawChannel.open(backend.channelUrl);
    open.push(channel);
    expect(
      await channel.request({
        type: 'redeemToken',
        requestId: 'n1',
        token: staging.tokenValue,
        method: 'qr',
      }),
    ).toMatchObject({ type: 'error', requestId: 'n1', code: 'notRegistered' });
  });
});

describe('stages, names and the ledger', () => {
  it('records a staging device through its stages, named Staging_ then by its user', async () => {
    const channel = await device('XX1234');
    await channel.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' });
    const staged = await channel.request({ type: 'completeStage', requestId: 's1', stage: 'staged' });
    expect(staged).toMatchObject({
      type: 'stageRecorded',
      requestId: 's1',
      record: {
        deviceName: 'Staging_XX1234_AndroidEnterprise_06/22/2024_4.20 AM',
        stage: 'staged',
        userPrincipalName: null,
        profileId: staging.id,
        enrollmentMode: 'corporateOwnedFullyManaged',
      },
      deliveries: { policies: [], apps: [] },
    });
    const listed = (await admin.get(`/beta/deviceManagement/managedDevices?$filter=serialNumber eq 'XX1234'`))
      .body.value;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: staged.record.managedDeviceId,
      deviceName: 'Staging_XX1234_AndroidEnterprise_06/22/2024_4.20 AM',
      managedDeviceName: 'Staging_XX1234_AndroidEnterprise_06/22/2024_4.20 AM',
      userPrincipalName: '',
      enrollmentProfileName: 'Frontline staging',
      deviceEnrollmentType: 'androidEnterpriseFullyManaged',
      simulatorEnrollmentStage: 'staged',
      simulatorTokenType: 'deviceStaging',
    });

    expect(await channel.request({ type: 'signIn', upn: 'john@contoso.com' })).toMatchObject({
      type: 'signInAccepted',
      upn: 'john@contoso.com',
    });
    await admin.post('/simulator/clock', { advanceSeconds: 3600 });
    try {
      const enrolled = await channel.request({ type: 'completeStage', stage: 'enrolled' });
      expect(enrolled.record).toMatchObject({
        deviceName: 'john@contoso.com_AndroidEnterprise_06/22/2024_4.20 AM',
        stage: 'enrolled',
        userPrincipalName: 'john@contoso.com',
      });
      const device = (
        await admin.get(`/beta/deviceManagement/managedDevices/${staged.record.managedDeviceId}`)
      ).body;
      expect(device).toMatchObject({
        managedDeviceName: 'john@contoso.com_AndroidEnterprise_06/22/2024_4.20 AM',
        userPrincipalName: 'john@contoso.com',
        enrolledDateTime: '2024-06-22T04:20:00.000Z',
        simulatorUserEnrolledDateTime: '2024-06-22T05:20:00.000Z',
      });
    } finally {
      await admin.post('/simulator/clock', { advanceSeconds: -3600 });
    }

    const entries = await ledger('XX1234');
    expect(entries.map((e: Json) => [e.fromStage, e.toStage, e.actor])).toEqual([
      [null, 'tokenCreated', 'admin'],
      ['tokenCreated', 'staged', 'vendor'],
      ['staged', 'enrolled', 'user'],
    ]);
    for (const entry of entries) expect(entry.tokenId).toBe(staging.simulatorTokenId);
    expect(JSON.stringify(entries)).not.toContain(staging.tokenValue);
  });

  it('records a default-token device as adminProvisioned, with no staging prefix', async () => {
    const channel = await device('DEF001');
    await channel.request({ type: 'redeemToken', token: fullyManagedDefault.tokenValue, method: 'qr' });
    const provisioned = await channel.request({ type: 'completeStage', stage: 'adminProvisioned' });
    expect(provisioned.record).toMatchObject({
      stage: 'adminProvisioned',
      deviceName: 'DEF001_AndroidEnterprise_06/22/2024_4.20 AM',
    });
    await channel.request({ type: 'signIn', upn: 'ann@contoso.com' });
    const enrolled = await channel.request({ type: 'completeStage', stage: 'enrolled' });
    expect(enrolled.record.deviceName).toBe('ann@contoso.com_AndroidEnterprise_06/22/2024_4.20 AM');
    expect((await ledger('DEF001')).map((e: Json) => [e.toStage, e.actor])).toEqual([
      ['tokenCreated', 'admin'],
      ['adminProvisioned', 'admin'],
      ['enrolled', 'user'],
    ]);
  });

  it("uses the profile's deviceNameTemplate for Graph's deviceName, the Staging_ name for the report", async () => {
    const templated = await createProfile(admin, {
      displayName: 'Templated',
      deviceNameTemplate: 'Store-{{SERIALLAST4DIGITS}}-{{UPNPREFIX}}',
    });
    const kiosk = await createProfile(admin, {
      displayName: 'Templated userless',
      deviceNameTemplate: 'Store-{{SERIAL}}',
    });
    const channel = await device('TPL0042');
    await channel.request({ type: 'redeemToken', token: templated.tokenValue, method: 'qr' });
    const staged = await channel.request({ type: 'completeStage', stage: 'staged' });
    // The template needs the user: until sign-in the device keeps its report name.
    expect(staged.record.deviceName).toBe('Staging_TPL0042_AndroidEnterprise_06/22/2024_4.20 AM');
    await channel.request({ type: 'signIn', upn: 'bob@contoso.com' });
    const enrolled = await channel.request({ type: 'completeStage', stage: 'enrolled' });
    expect(enrolled.record.deviceName).toBe('Store-0042-bob');
    const view = (await admin.get(`/beta/deviceManagement/managedDevices/${enrolled.record.managedDeviceId}`))
      .body;
    expect(view).toMatchObject({
      deviceName: 'Store-0042-bob',
      managedDeviceName: 'bob@contoso.com_AndroidEnterprise_06/22/2024_4.20 AM',
    });

    const other = await device('TPL0043');
    await other.request({ type: 'redeemToken', token: kiosk.tokenValue, method: 'qr' });
    expect((await other.request({ type: 'completeStage', stage: 'staged' })).record.deviceName).toBe(
      'Store-TPL0043',
    );
  });

  it('refuses stages out of order with stageOutOfOrder', async () => {
    const channel = await device('ORDER2');
    expect(await channel.request({ type: 'completeStage', requestId: 'o1', stage: 'staged' })).toMatchObject({
      type: 'error',
      requestId: 'o1',
      code: 'stageOutOfOrder',
    });
    await channel.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' });
    expect(await channel.request({ type: 'completeStage', stage: 'adminProvisioned' })).toMatchObject({
      code: 'stageOutOfOrder',
      message: expect.stringContaining('staged'),
    });
    expect(await channel.request({ type: 'completeStage', stage: 'enrolled' })).toMatchObject({
      code: 'stageOutOfOrder',
    });
    await channel.request({ type: 'completeStage', stage: 'staged' });
    expect(await channel.request({ type: 'completeStage', stage: 'enrolled' })).toMatchObject({
      code: 'stageOutOfOrder',
      message: expect.stringContaining('signed in'),
    });
    expect(
      await channel.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' }),
    ).toMatchObject({ code: 'stageOutOfOrder', message: expect.stringContaining('factory reset') });
    expect((await ledger('ORDER2')).map((e: Json) => e.toStage)).toEqual(['tokenCreated', 'staged']);
  });

  it('answers repeats idempotently: same requestId, same stage again, same token again', async () => {
    const channel = await device('IDEM1');
    const first = await channel.request({
      type: 'redeemToken',
      requestId: 'same',
      token: staging.tokenValue,
      method: 'qr',
    });
    expect(
      await channel.request({
        type: 'redeemToken',
        requestId: 'same',
        token: staging.tokenValue,
        method: 'qr',
      }),
    ).toEqual(first);
    expect(
      await channel.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' }),
    ).toMatchObject({ type: 'tokenAccepted' });
    const staged = await channel.request({ type: 'completeStage', requestId: 'st', stage: 'staged' });
    expect(await channel.request({ type: 'completeStage', requestId: 'st', stage: 'staged' })).toEqual(
      staged,
    );
    expect(await channel.request({ type: 'completeStage', requestId: 'st2', stage: 'staged' })).toEqual({
      ...staged,
      requestId: 'st2',
    });
    expect((await ledger('IDEM1')).map((e: Json) => e.toStage)).toEqual(['tokenCreated', 'staged']);
  });

  it('answers a request resent on a new connection after the reply was lost, recording it once', async () => {
    let dropNext = false;
    const lossy = await startBackend({
      clock: fixedClock('2024-06-22T04:20:00Z'),
      beforeReply: () => (dropNext ? ((dropNext = false), 'drop') : 'send'),
    });
    try {
      const lossyAdmin = GraphTestClient.for(lossy);
      const profile = await createProfile(lossyAdmin, {});
      const first = await RawChannel.open(lossy.channelUrl);
      await first.hello('LOST1');
      dropNext = true;
      first.sendRaw(
        JSON.stringify({ type: 'redeemToken', requestId: 'lost-1', token: profile.tokenValue, method: 'qr' }),
      );
      expect((await first.closed).code).toBe(1006);

      // Meanwhile the admin revokes the token: the resend still gets the answer the lost reply had.
      await lossyAdmin.post(`${PROFILES}/${profile.id}/revokeToken`);
      const second = await RawChannel.open(lossy.channelUrl);
      expect((await second.hello('LOST1')).record).toMatchObject({ stage: 'tokenCreated' });
      const answer = await second.request({
        type: 'redeemToken',
        requestId: 'lost-1',
        token: profile.tokenValue,
        method: 'qr',
      });
      expect(answer).toMatchObject({ type: 'tokenAccepted', requestId: 'lost-1' });
      // A new request is judged afresh.
      expect(
        await second.request({
          type: 'redeemToken',
          requestId: 'lost-2',
          token: profile.tokenValue,
          method: 'qr',
        }),
      ).toMatchObject({ reason: 'revoked' });

      dropNext = true;
      second.sendRaw(JSON.stringify({ type: 'completeStage', requestId: 'lost-3', stage: 'staged' }));
      expect((await second.closed).code).toBe(1006);
      const third = await RawChannel.open(lossy.channelUrl);
      await third.hello('LOST1');
      expect(
        await third.request({ type: 'completeStage', requestId: 'lost-3', stage: 'staged' }),
      ).toMatchObject({ type: 'stageRecorded', requestId: 'lost-3' });
      await third.close();
      const entries = (await lossyAdmin.get('/simulator/ledger?serialNumber=LOST1')).body.value;
      expect(entries.map((e: Json) => e.toStage)).toEqual(['tokenCreated', 'staged']);
    } finally {
      await lossy.close();
    }
  });

  it('still answers a resend with the lost reply after the backend restarted on its file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stagesim-resend-'));
    const dbPath = join(folder, 'backend.db');
    const clock = fixedClock('2024-06-22T04:20:00Z');
    let dropNext = false;
    let lossy = await startBackend({
      dbPath,
      clock,
      beforeReply: () => (dropNext ? ((dropNext = false), 'drop') : 'send'),
    });
    try {
      const profile = await createProfile(GraphTestClient.for(lossy), {});
      const first = await RawChannel.open(lossy.channelUrl);
      await first.hello('RESTART1');
      dropNext = true;
      first.sendRaw(
        JSON.stringify({ type: 'redeemToken', requestId: 'kept-1', token: profile.tokenValue, method: 'qr' }),
      );
      expect((await first.closed).code).toBe(1006);

      // The backend restarts (its reply cache is gone) and the admin revokes the token meanwhile.
      await lossy.close();
      lossy = await startBackend({ dbPath, clock });
      await GraphTestClient.for(lossy).post(`${PROFILES}/${profile.id}/revokeToken`);
      const second = await RawChannel.open(lossy.channelUrl);
      await second.hello('RESTART1');
      expect(
        await second.request({
          type: 'redeemToken',
          requestId: 'kept-1',
          token: profile.tokenValue,
          method: 'qr',
        }),
      ).toMatchObject({ type: 'tokenAccepted', requestId: 'kept-1' });
      expect(
        await second.request({
          type: 'redeemToken',
          requestId: 'kept-2',
          token: profile.tokenValue,
          method: 'qr',
        }),
      ).toMatchObject({ reason: 'revoked' });
      // A repeat under another type is not the same request.
      expect(
        await second.request({ type: 'completeStage', requestId: 'kept-1', stage: 'staged' }),
      ).toMatchObject({ type: 'stageRecorded', requestId: 'kept-1' });
      await second.close();
    } finally {
      await lossy.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('greets a known device with its record', async () => {
    const channel = await device('RESUME1');
    await channel.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' });
    await channel.request({ type: 'completeStage', stage: 'staged' });
    const again = await RawChannel.open(backend.channelUrl);
    open.push(again);
    expect(await again.hello('RESUME1')).toMatchObject({
      type: 'helloAck',
      record: {
        stage: 'staged',
        deviceName: 'Staging_RESUME1_AndroidEnterprise_06/22/2024_4.20 AM',
        userPrincipalName: null,
      },
    });
  });

  it('leaves staged and enrolled devices alone when their token is replaced or revoked', async () => {
    const profile = await createProfile(admin, { displayName: 'Churned later' });
    const channel = await device('KEEP1');
    await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    const staged = await channel.request({ type: 'completeStage', stage: 'staged' });
    const before = (await admin.get(`/beta/deviceManagement/managedDevices/${staged.record.managedDeviceId}`))
      .body;
    await admin.post(`${PROFILES}/${profile.id}/createToken`);
    await admin.post(`${PROFILES}/${profile.id}/revokeToken`);
    await admin.get(`/simulator/enrollmentProfiles/${profile.id}/tokenExport/zeroTouch`);
    expect(
      (await admin.get(`/beta/deviceManagement/managedDevices/${staged.record.managedDeviceId}`)).body,
    ).toEqual(before);
    expect(await channel.request({ type: 'signIn', upn: 'kim@contoso.com' })).toMatchObject({
      type: 'signInAccepted',
    });
    expect((await channel.request({ type: 'completeStage', stage: 'enrolled' })).record.stage).toBe(
      'enrolled',
    );
  });
});

describe('sign-in', () => {
  it('refuses a device that is not staged, a malformed account, and a second user', async () => {
    const channel = await device('SIGN1');
    expect(await channel.request({ type: 'signIn', upn: 'john@contoso.com' })).toMatchObject({
      type: 'signInRejected',
      reason: 'deviceNotStaged',
    });
    await channel.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' });
    expect(await channel.request({ type: 'signIn', upn: 'john@contoso.com' })).toMatchObject({
      reason: 'deviceNotStaged',
    });
    await channel.request({ type: 'completeStage', stage: 'staged' });
    expect(await channel.request({ type: 'signIn', upn: 'not-an-account' })).toMatchObject({
      type: 'signInRejected',
      reason: 'invalidUpn',
    });
    expect(await channel.request({ type: 'signIn', upn: 'john@contoso.com' })).toMatchObject({
      type: 'signInAccepted',
    });
    await channel.request({ type: 'completeStage', stage: 'enrolled' });
    expect(await channel.request({ type: 'signIn', upn: 'JOHN@contoso.com' })).toMatchObject({
      type: 'signInAccepted',
    });
    expect(await channel.request({ type: 'signIn', upn: 'eve@contoso.com' })).toMatchObject({
      type: 'signInRejected',
      reason: 'alreadyEnrolled',
    });
  });

  it("refuses accounts outside the tenant's domains as accountNotFound, before looking at the device", async () => {
    const channel = await device('SIGN2');
    expect(await channel.request({ type: 'signIn', upn: 'mallory@fabrikam.example' })).toMatchObject({
      type: 'signInRejected',
      reason: 'accountNotFound',
    });
    await channel.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' });
    await channel.request({ type: 'completeStage', stage: 'staged' });
    expect(await channel.request({ type: 'signIn', upn: 'mallory@fabrikam.example' })).toMatchObject({
      reason: 'accountNotFound',
    });
    expect(await channel.request({ type: 'signIn', upn: 'mallory@sub.contoso.com' })).toMatchObject({
      reason: 'accountNotFound',
    });
    expect(await channel.request({ type: 'signIn', upn: 'Ann@CONTOSO.com' })).toMatchObject({
      type: 'signInAccepted',
    });

    const other = await startBackend({ tenantDomains: ['Fabrikam.example', 'contoso.com'] });
    try {
      const profile = await createProfile(GraphTestClient.for(other), {});
      const elsewhere = await RawChannel.open(other.channelUrl);
      await elsewhere.hello('SIGN3');
      await elsewhere.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
      await elsewhere.request({ type: 'completeStage', stage: 'staged' });
      expect(await elsewhere.request({ type: 'signIn', upn: 'mallory@fabrikam.example' })).toMatchObject({
        type: 'signInAccepted',
      });
      await elsewhere.close();
    } finally {
      await other.close();
    }
  });
});

describe('factory reset', () => {
  it('records a reset from any stage once, after which the device can be staged again', async () => {
    const channel = await device('RESET1');
    await channel.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' });
    await channel.request({ type: 'completeStage', stage: 'staged' });
    await channel.request({ type: 'signIn', upn: 'john@contoso.com' });
    await channel.request({ type: 'completeStage', stage: 'enrolled' });
    expect(await channel.request({ type: 'factoryReset', requestId: 'f1' })).toEqual({
      type: 'resetRecorded',
      requestId: 'f1',
    });
    expect(await channel.request({ type: 'factoryReset' })).toMatchObject({ type: 'resetRecorded' });
    const reset = (await admin.get(`/beta/deviceManagement/managedDevices?$filter=serialNumber eq 'RESET1'`))
      .body.value[0];
    expect(reset).toMatchObject({ simulatorEnrollmentStage: 'factoryReset', userPrincipalName: '' });

    expect(
      await channel.request({ type: 'redeemToken', token: fullyManagedDefault.tokenValue, method: 'qr' }),
    ).toMatchObject({ type: 'tokenAccepted', tokenType: 'default' });
    expect((await channel.request({ type: 'completeStage', stage: 'adminProvisioned' })).record.stage).toBe(
      'adminProvisioned',
    );
    expect((await ledger('RESET1')).map((e: Json) => [e.toStage, e.actor])).toEqual([
      ['tokenCreated', 'admin'],
      ['staged', 'vendor'],
      ['enrolled', 'user'],
      ['factoryReset', 'user'],
      ['tokenCreated', 'admin'],
      ['adminProvisioned', 'admin'],
    ]);
  });
});

describe('malformed input', () => {
  it('answers each kind of bad frame with its own error and keeps the connection usable', async () => {
    const channel = await device('BAD1');
    channel.sendRaw('{"type": "hello",');
    expect(await channel.next()).toMatchObject({ type: 'error', requestId: null, code: 'invalidJson' });
    channel.sendRaw('[1,2]');
    expect(await channel.next()).toMatchObject({ code: 'invalidMessage' });
    expect(await channel.request({ type: 'teleport', requestId: 'u1' })).toEqual(
      expect.objectContaining({ type: 'error', requestId: 'u1', code: 'unknownType' }),
    );
    expect(await channel.request({ type: '__proto__' })).toMatchObject({ code: 'unknownType' });
    const invalid = await channel.request({
      type: 'hello',
      requestId: 'h1',
      device: { serialNumber: 'BAD1', manufacturer: 'Google', model: 'Pixel', osVersion: 'fourteen' },
    });
    expect(invalid).toMatchObject({
      type: 'error',
      requestId: 'h1',
      code: 'invalidMessage',
      message: expect.stringMatching(/^device\.osVersion: /),
    });
    expect(invalid.message).not.toContain('\n');
    expect(await channel.request({ type: 'completeStage', stage: 'finished' })).toMatchObject({
      code: 'invalidMessage',
      message: expect.stringMatching(/^stage: /),
    });
    channel.sendRaw(Buffer.from([1, 2, 3]));
    expect(await channel.next()).toMatchObject({ type: 'error', code: 'binaryNotSupported' });
    expect(await channel.hello('BAD1')).toMatchObject({ type: 'helloAck' });
  });

  it('closes only the connection that sent an oversized frame, with 1009', async () => {
    const bystander = await device('BIG2');
    const sender = await device('BIG1');
    sender.sendRaw(
      JSON.stringify({ type: 'signIn', requestId: 'big', upn: `${'a'.repeat(MAX_FRAME_BYTES)}@contoso.com` }),
    );
    expect((await sender.closed).code).toBe(1009);
    expect(await bystander.hello('BIG2')).toMatchObject({ type: 'helloAck' });
  });

  it('answers internalError when the backend fails, without crashing', async () => {
    const broken = await startBackend();
    try {
      const channel = await RawChannel.open(broken.channelUrl);
      broken.store.close();
      expect(await channel.hello('BROKEN1')).toMatchObject({ type: 'error', code: 'internalError' });
      expect(await channel.request({ type: 'teleport' })).toMatchObject({ code: 'unknownType' });
      await channel.close();
    } finally {
      await broken.close();
    }
  });

  it('refuses connections on other paths', async () => {
    await expect(RawChannel.open(backend.channelUrl.replace('/device', '/other'))).rejects.toThrow(/404/);
  });
});
