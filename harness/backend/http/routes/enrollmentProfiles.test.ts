import { PNG } from 'pngjs';
import jsQR from 'jsqr';
import { fixedClock } from '../../clock';
import { startBackend, type RunningBackend } from '../../server';
import { GraphTestClient, PROFILES, createProfile } from '../../testing/graphTestClient';
import { RawChannel } from '../../testing/rawChannel';

let backend: RunningBackend;
let admin: GraphTestClient;

beforeAll(async () => {
  backend = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
  admin = GraphTestClient.for(backend);
});
afterAll(() => backend.close());

describe('androidDeviceOwnerEnrollmentProfiles', () => {
  it('creates a staging profile with a token, its QR code content and image (201)', async () => {
    const response = await admin.post(PROFILES, {
      displayName: 'Frontline staging',
      description: 'stores',
      enrollmentMode: 'corporateOwnedWorkProfile',
      enrollmentTokenType: 'deviceStaging',
    });
    expect(response.status).toBe(201);
    const profile = response.body;
    expect(profile).toMatchObject({
      '@odata.type': '#microsoft.graph.androidDeviceOwnerEnrollmentProfile',
      displayName: 'Frontline staging',
      enrollmentMode: 'corporateOwnedWorkProfile',
      enrollmentTokenType: 'deviceStaging',
      createdDateTime: '2024-06-22T04:20:00.000Z',
      tokenCreationDateTime: '2024-06-22T04:20:00.000Z',
      tokenExpirationDateTime: '2024-09-20T04:20:00.000Z',
      enrolledDeviceCount: 0,
      enrollmentTokenUsageCount: 0,
      roleScopeTagIds: ['0'],
    });
    expect(profile.tokenValue).toMatch(/^[A-HJ-NP-Z2-9]{20}$/);
    const content = JSON.parse(profile.qrCodeContent);
    expect(
      content['android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE'][
        'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN'
      ],
    ).toBe(profile.tokenValue);

    // As in Graph, the image comes only with $select; it is a real PNG of a QR code holding qrCodeContent.
    expect(profile.qrCodeImage).toBeNull();
    const selected = await admin.get(`${PROFILES}/${profile.id}?$select=qrCodeImage,qrCodeContent`);
    expect(Object.keys(selected.body).sort()).toEqual([
      '@odata.context',
      '@odata.type',
      'id',
      'qrCodeContent',
      'qrCodeImage',
    ]);
    expect(selected.body['@odata.context']).toBe(
      `${backend.url}/beta/$metadata#deviceManagement/androidDeviceOwnerEnrollmentProfiles(qrCodeImage,qrCodeContent)/$entity`,
    );
    expect(selected.body.qrCodeImage.type).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(selected.body.qrCodeImage.value, 'base64'));
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(profile.qrCodeContent);
  });

  it('shows default tokens of fully managed profiles as never expiring', async () => {
    const profile = await createProfile(admin, {
      displayName: 'COBO default',
      enrollmentTokenType: 'default',
    });
    expect(profile.tokenExpirationDateTime).toBe('9999-12-31T23:59:59Z');
  });

  it('puts the Wi-Fi settings into the QR code, and refuses ones a device cannot take', async () => {
    const profile = await createProfile(admin, {
      displayName: 'With Wi-Fi',
      configureWifi: true,
      wifiSsid: 'Store-5G',
      wifiSecurityType: 'wpa',
      wifiPassword: 'correct horse',
    });
    expect(JSON.parse(profile.qrCodeContent)).toMatchObject({
      'android.app.extra.PROVISIONING_WIFI_SSID': 'Store-5G',
      'android.app.extra.PROVISIONING_WIFI_SECURITY_TYPE': 'WPA',
      'android.app.extra.PROVISIONING_WIFI_PASSWORD': 'correct horse',
    });
    const noPassword = await admin.post(PROFILES, {
      displayName: 'x',
      enrollmentMode: 'corporateOwnedFullyManaged',
      configureWifi: true,
      wifiSsid: 'Store',
      wifiSecurityType: 'wpa',
    });
    expect(noPassword.status).toBe(400);
    expect(noPassword.body.error.message).toMatch(/Wi-Fi settings: .*password/);
  });

  it('refuses deviceStaging for modes other than fully managed and work profile (400)', async () => {
    for (const enrollmentMode of [
      'corporateOwnedDedicatedDevice',
      'corporateOwnedAOSPUserlessDevice',
      'corporateOwnedAOSPUserAssociatedDevice',
    ]) {
      const response = await admin.post(PROFILES, {
        displayName: 'Kiosks',
        enrollmentMode,
        enrollmentTokenType: 'deviceStaging',
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({
        code: 'BadRequest',
        message: expect.stringContaining(
          'deviceStaging is available only for corporateOwnedFullyManaged and corporateOwnedWorkProfile',
        ),
      });
    }
  });

  it('validates bodies with one clear message', async () => {
    const missing = await admin.post(PROFILES, { enrollmentMode: 'corporateOwnedFullyManaged' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^Invalid request body: displayName: /);
    const unknownField = await admin.post(PROFILES, {
      displayName: 'x',
      enrollmentMode: 'corporateOwnedFullyManaged',
      colour: 'blue',
    });
    expect(unknownField.body.error.message).toMatch(/colour/);
    const badTemplate = await admin.post(PROFILES, {
      displayName: 'x',
      enrollmentMode: 'corporateOwnedFullyManaged',
      deviceNameTemplate: 'Kiosk-{{IMEI}}',
    });
    expect(badTemplate.status).toBe(400);
    expect(badTemplate.body.error.message).toMatch(/unknown token \{\{IMEI\}\} at position 7/);
    const tooLong = await admin.post(PROFILES, {
      displayName: 'x',
      enrollmentMode: 'corporateOwnedFullyManaged',
      enrollmentTokenType: 'deviceStaging',
      tokenExpirationDateTime: '2100-01-01T00:00:00Z',
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(/at most 65 years/);
  });

  it('gets, lists, patches and deletes', async () => {
    const created = await createProfile(admin, { displayName: 'To edit' });
    const fetched = await admin.get(`${PROFILES}/${created.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created);

    const list = await admin.get(PROFILES);
    const listed = list.body.value.find((p: { id: string }) => p.id === created.id);
    // The same entity, with the collection's @odata.context on the list instead of its own.
    const { '@odata.context': context, ...entity } = created;
    expect(context).toBe(
      `${backend.url}/beta/$metadata#deviceManagement/androidDeviceOwnerEnrollmentProfiles/$entity`,
    );
    expect(list.body['@odata.context']).toBe(
      `${backend.url}/beta/$metadata#deviceManagement/androidDeviceOwnerEnrollmentProfiles`,
    );
    expect(listed).toEqual(entity);

    const patched = await admin.patch(`${PROFILES}/${created.id}`, {
      displayName: 'Edited',
      deviceNameTemplate: 'Kiosk-{{SERIAL}}',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      displayName: 'Edited',
      deviceNameTemplate: 'Kiosk-{{SERIAL}}',
      tokenValue: created.tokenValue,
    });

    const modeChange = await admin.patch(`${PROFILES}/${created.id}`, {
      enrollmentMode: 'corporateOwnedWorkProfile',
    });
    expect(modeChange.status).toBe(400);
    expect(modeChange.body.error.message).toMatch(/enrollmentMode cannot be changed/);

    expect((await admin.delete(`${PROFILES}/${created.id}`)).status).toBe(204);
    const gone = await admin.get(`${PROFILES}/${created.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('ResourceNotFound');
  });

  it('answers 404 for unknown profiles on every route', async () => {
    for (const [method, path] of [
      ['GET', `${PROFILES}/00000000-0000-0000-0000-000000000000`],
      ['PATCH', `${PROFILES}/nope`],
      ['DELETE', `${PROFILES}/nope`],
      ['POST', `${PROFILES}/nope/createToken`],
      ['POST', `${PROFILES}/nope/revokeToken`],
    ] as const) {
      const response = await admin.request(method, path, method === 'PATCH' ? {} : undefined);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('ResourceNotFound');
    }
  });
});

describe('createToken and revokeToken', () => {
  it('createToken (204) replaces the token: the old one is refused as replaced, the new one works', async () => {
    const profile = await createProfile(admin, { displayName: 'Replace me' });
    const response = await admin.post(`${PROFILES}/${profile.id}/createToken`, {
      tokenValidityInSeconds: 3600,
    });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');

    const after = (await admin.get(`${PROFILES}/${profile.id}`)).body;
    expect(after.tokenValue).not.toBe(profile.tokenValue);
    expect(after.tokenExpirationDateTime).toBe('2024-06-22T05:20:00.000Z');
    expect(after.simulatorTokenId).not.toBe(profile.simulatorTokenId);

    const device = await RawChannel.open(backend.channelUrl);
    await device.hello('REPLACE1');
    expect(
      await device.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' }),
    ).toMatchObject({ type: 'tokenRejected', reason: 'replaced' });
    expect(
      await device.request({ type: 'redeemToken', token: after.tokenValue, method: 'qr' }),
    ).toMatchObject({ type: 'tokenAccepted', tokenType: 'deviceStaging' });
    await device.close();
  });

  it('createToken without a body and with an empty JSON body keeps the default validity', async () => {
    const profile = await createProfile(admin, { displayName: 'No body' });
    expect((await admin.post(`${PROFILES}/${profile.id}/createToken`)).status).toBe(204);
    expect((await admin.request('POST', `${PROFILES}/${profile.id}/createToken`, '')).status).toBe(204);
    expect((await admin.get(`${PROFILES}/${profile.id}`)).body.tokenExpirationDateTime).toBe(
      '2024-09-20T04:20:00.000Z',
    );
    const bad = await admin.post(`${PROFILES}/${profile.id}/createToken`, { tokenValidityInSeconds: -5 });
    expect(bad.status).toBe(400);
  });

  it('revokeToken (204) expires the token at once: no tokenValue, no QR code, refused as revoked', async () => {
    const profile = await createProfile(admin, { displayName: 'Revoke me' });
    expect((await admin.post(`${PROFILES}/${profile.id}/revokeToken`)).status).toBe(204);
    const after = (await admin.get(`${PROFILES}/${profile.id}`)).body;
    expect(after).toMatchObject({
      tokenValue: null,
      qrCodeContent: null,
      qrCodeImage: null,
      tokenExpirationDateTime: '2024-06-22T04:20:00.000Z',
      simulatorTokenState: 'revoked',
    });
    // Revoking again changes nothing and still answers 204.
    expect((await admin.post(`${PROFILES}/${profile.id}/revokeToken`)).status).toBe(204);

    const device = await RawChannel.open(backend.channelUrl);
    await device.hello('REVOKE1');
    expect(
      await device.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' }),
    ).toMatchObject({ type: 'tokenRejected', reason: 'revoked' });
    await device.close();

    // A revoked profile gets a fresh token from createToken.
    expect((await admin.post(`${PROFILES}/${profile.id}/createToken`)).status).toBe(204);
    expect((await admin.get(`${PROFILES}/${profile.id}`)).body.tokenValue).toMatch(/^[A-Z2-9]{20}$/);
  });

  it('counts accepted redemptions and enrolled devices', async () => {
    const profile = await createProfile(admin, { displayName: 'Counted' });
    const device = await RawChannel.open(backend.channelUrl);
    await device.hello('COUNT1');
    await device.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    await device.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    await device.request({ type: 'completeStage', stage: 'staged' });
    await device.close();
    const after = (await admin.get(`${PROFILES}/${profile.id}`)).body;
    expect(after).toMatchObject({ enrollmentTokenUsageCount: 1, enrolledDeviceCount: 1 });
  });

  // The counts are made once and then kept as devices change stage: read before and after every change,
  // they must follow what the devices did, on two profiles, through staging, sign-in and factory reset.
  it('keeps enrolledDeviceCount as devices stage, enroll, reset and stage again on another profile', async () => {
    const first = await createProfile(admin, { displayName: 'Kept count A' });
    const second = await createProfile(admin, { displayName: 'Kept count B' });
    const counts = async () =>
      Promise.all(
        [first, second].map(
          async (profile) => (await admin.get(`${PROFILES}/${profile.id}`)).body.enrolledDeviceCount,
        ),
      );
    expect(await counts()).toEqual([0, 0]);
    const devices = await Promise.all(
      ['KEPT1', 'KEPT2', 'KEPT3'].map(() => RawChannel.open(backend.channelUrl)),
    );
    try {
      for (const [index, device] of devices.entries()) {
        await device.hello(`KEPT${index + 1}`);
        await device.request({ type: 'redeemToken', token: first.tokenValue, method: 'qr' });
      }
      // A redeemed token alone does not count: the device is not staged yet.
      expect(await counts()).toEqual([0, 0]);
      for (const device of devices) await device.request({ type: 'completeStage', stage: 'staged' });
      expect(await counts()).toEqual([3, 0]);
      await devices[0]!.request({ type: 'signIn', upn: 'kept@contoso.com' });
      await devices[0]!.request({ type: 'completeStage', stage: 'enrolled' });
      expect(await counts()).toEqual([3, 0]);
      await devices[1]!.request({ type: 'factoryReset' });
      expect(await counts()).toEqual([2, 0]);
      await devices[1]!.request({ type: 'redeemToken', token: second.tokenValue, method: 'qr' });
      await devices[1]!.request({ type: 'completeStage', stage: 'staged' });
      expect(await counts()).toEqual([2, 1]);
    } finally {
      for (const device of devices) await device.close();
    }
  });
});

describe('token export (simulator)', () => {
  it('exports the token for Zero Touch and Knox Mobile Enrollment without changing anything', async () => {
    const profile = await createProfile(admin, { displayName: 'Export me' });
    const zeroTouch = await admin.get(`/simulator/enrollmentProfiles/${profile.id}/tokenExport/zeroTouch`);
    expect(zeroTouch.status).toBe(200);
    expect(zeroTouch.body['android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE']).toEqual({
      'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN': profile.tokenValue,
    });
    expect(zeroTouch.body['android.app.extra.PROVISIONING_WIFI_SSID']).toBeUndefined();

    const knox = await admin.get(
      `/simulator/enrollmentProfiles/${profile.id}/tokenExport/knoxMobileEnrollment`,
    );
    expect(knox.body).toEqual({
      'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN': profile.tokenValue,
    });

    expect((await admin.get(`${PROFILES}/${profile.id}`)).body).toEqual(profile);
    expect((await admin.get(`/simulator/enrollmentProfiles/${profile.id}/tokenExport/pdf`)).status).toBe(404);
    await admin.post(`${PROFILES}/${profile.id}/revokeToken`);
    const revoked = await admin.get(`/simulator/enrollmentProfiles/${profile.id}/tokenExport/zeroTouch`);
    expect(revoked.status).toBe(409);
    expect(revoked.body.error.code).toBe('Conflict');
  });
});
