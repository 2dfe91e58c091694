import { startBackend, type RunningBackend } from '../../server';
import { GraphTestClient, type Json } from '../../testing/graphTestClient';

const GROUPS = '/beta/groups';
const user = (upn: string) => `https://graph.microsoft.com/v1.0/users/${upn}`;
let backend: RunningBackend;
let admin: GraphTestClient;

beforeAll(async () => {
  backend = await startBackend();
  admin = GraphTestClient.for(backend);
});
afterAll(() => backend.close());

describe('groups', () => {
  it('creates a dynamic device group and checks its membershipRule', async () => {
    const created = await admin.post(GROUPS, {
      displayName: 'Frontline devices',
      mailEnabled: false,
      mailNickname: 'frontline',
      securityEnabled: true,
      groupTypes: ['DynamicMembership'],
      membershipRule: '(device.enrollmentProfileName -eq "Frontline staging")',
      membershipRuleProcessingState: 'On',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      groupTypes: ['DynamicMembership'],
      membershipRuleProcessingState: 'On',
      securityEnabled: true,
    });
    const bad = await admin.post(GROUPS, {
      displayName: 'x',
      groupTypes: ['DynamicMembership'],
      membershipRule: 'device.enrollmentProfileName -eq',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^membershipRule: rule error at position 33/);
    const noRule = await admin.post(GROUPS, { displayName: 'x', groupTypes: ['DynamicMembership'] });
    expect(noRule.body.error.message).toMatch(
      /membershipRule: a DynamicMembership group needs a membershipRule/,
    );
    // Entra's own attribute names and operators; Intune's filter names are refused with a pointer.
    const intuneName = await admin.patch(`${GROUPS}/${created.body.id}`, {
      membershipRule: 'device.model -eq "Pixel 8"',
    });
    expect(intuneName.status).toBe(400);
    expect(intuneName.body.error).toMatchObject({
      code: 'BadRequest',
      message:
        'membershipRule: rule error at position 1: unknown device attribute "device.model" (that is Intune\'s filter name; Entra calls it device.deviceModel); Entra\'s device attributes: accountEnabled, deviceCategory, deviceId, deviceManagementAppId, deviceManufacturer, deviceModel, displayName, deviceOSType, deviceOSVersion, deviceOwnership, devicePhysicalIds, deviceTrustType, enrollmentProfileName, extensionAttribute1, extensionAttribute2, extensionAttribute3, extensionAttribute4, extensionAttribute5, extensionAttribute6, extensionAttribute7, extensionAttribute8, extensionAttribute9, extensionAttribute10, extensionAttribute11, extensionAttribute12, extensionAttribute13, extensionAttribute14, extensionAttribute15, isRooted, managementType, objectId, profileType, systemLabels',
    });
    const entraRule =
      '(device.deviceModel -match "^Pixel") -and -not (device.deviceOSVersion -notStartsWith "1")';
    expect((await admin.patch(`${GROUPS}/${created.body.id}`, { membershipRule: entraRule })).status).toBe(
      204,
    );
    expect((await admin.get(`${GROUPS}/${created.body.id}`)).body.membershipRule).toBe(entraRule);
    expect(
      (await admin.post(`${GROUPS}/${created.body.id}/members/$ref`, { '@odata.id': user('a@contoso.com') }))
        .status,
    ).toBe(400);
  });

  it('keeps user members by UPN: bind on create, add and remove by reference', async () => {
    const created = await admin.post(GROUPS, {
      displayName: 'Store staff',
      'members@odata.bind': [user('john@contoso.com')],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(
      (await admin.post(`${GROUPS}/${id}/members/$ref`, { '@odata.id': user('ann@contoso.com') })).status,
    ).toBe(204);
    expect(
      (await admin.post(`${GROUPS}/${id}/members/$ref`, { '@odata.id': user('ANN@contoso.com') })).status,
    ).toBe(400);
    expect(
      (
        await admin.post(`${GROUPS}/${id}/members/$ref`, {
          '@odata.id': 'https://graph.microsoft.com/v1.0/users/nobody',
        })
      ).body.error.message,
    ).toMatch(/expected a user reference/);
    const members = (await admin.get(`${GROUPS}/${id}/members`)).body.value.map(
      (m: Json) => m.userPrincipalName,
    );
    expect(members).toEqual(['ann@contoso.com', 'john@contoso.com']);
    expect((await admin.delete(`${GROUPS}/${id}/members/john@contoso.com/$ref`)).status).toBe(204);
    expect((await admin.delete(`${GROUPS}/${id}/members/john@contoso.com/$ref`)).status).toBe(404);
    expect((await admin.delete(`${GROUPS}/${id}`)).status).toBe(204);
    expect((await admin.get(`${GROUPS}/${id}/members`)).status).toBe(404);
  });

  it('refuses to delete a group an assignment uses (409)', async () => {
    const group = (await admin.post(GROUPS, { displayName: 'Assigned' })).body;
    const app = (
      await admin.post('/beta/deviceAppManagement/mobileApps', {
        '@odata.type': '#microsoft.graph.androidManagedStoreApp',
        displayName: 'Teams',
      })
    ).body;
    const assigned = await admin.post(`/beta/deviceAppManagement/mobileApps/${app.id}/assign`, {
      mobileAppAssignments: [
        {
          intent: 'required',
          target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: group.id },
        },
      ],
    });
    expect(assigned.status).toBe(204);
    expect((await admin.delete(`${GROUPS}/${group.id}`)).status).toBe(409);
  });
});
