import { fixedClock } from '../clock';
import { startBackend, type RunningBackend } from '../server';
import { GraphTestClient, createProfile, PROFILES, type Json } from '../testing/graphTestClient';
import { checkGraphCollection, checkGraphShape } from '../testing/graphTypes';
import { RawChannel } from '../testing/rawChannel';

/**
 * Every object the Graph routes answer, checked against Microsoft's own types
 * (@microsoft/microsoft-graph-types-beta): no property the type lacks but documented simulator… fields,
 * enum values inside their unions, nulls only where allowed; and @odata.context on every answer.
 */
const DEVICES = '/beta/deviceManagement/managedDevices';
const FILTERS = '/beta/deviceManagement/assignmentFilters';
const CONFIGS = '/beta/deviceManagement/deviceConfigurations';
const COMPLIANCE = '/beta/deviceManagement/deviceCompliancePolicies';
const APPS = '/beta/deviceAppManagement/mobileApps';
let backend: RunningBackend;
let admin: GraphTestClient;
const answers: { path: string; body: Json }[] = [];

async function read(path: string) {
  const response = await admin.get(path);
  expect(response.status).toBe(200);
  answers.push({ path, body: response.body });
  return response.body;
}

beforeAll(async () => {
  backend = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
  admin = GraphTestClient.for(backend);
  const staging = await createProfile(admin, {});
  answers.push({ path: `POST ${PROFILES}`, body: staging });
  answers.push({
    path: `POST ${PROFILES} (work profile, default token, Wi-Fi)`,
    body: await createProfile(admin, {
      displayName: 'Work profile',
      enrollmentMode: 'corporateOwnedWorkProfile',
      enrollmentTokenType: 'default',
      wifiSsid: 'Store',
      wifiSecurityType: 'wpa',
      wifiPassword: 'correct horse',
    }),
  });
  const revoked = await createProfile(admin, { displayName: 'Revoked' });
  await admin.post(`${PROFILES}/${revoked.id}/revokeToken`);
  const channel = await RawChannel.open(backend.channelUrl);
  for (const serial of ['SH001', 'SH002']) {
    await channel.hello(serial);
    await channel.request({ type: 'redeemToken', token: staging.tokenValue, method: 'qr' });
    await channel.request({ type: 'completeStage', stage: 'staged' });
  }
  await channel.request({ type: 'signIn', upn: 'john@contoso.com' });
  await channel.request({ type: 'completeStage', stage: 'enrolled' });
  await channel.close();
  const filter = (
    await admin.post(FILTERS, {
      displayName: 'Pixels',
      platform: 'androidForWork',
      rule: 'device.model -startsWith "Pixel"',
    })
  ).body;
  answers.push({ path: `POST ${FILTERS}`, body: filter });
  const dynamic = (
    await admin.post('/beta/groups', {
      displayName: 'Pixels',
      groupTypes: ['DynamicMembership'],
      membershipRule: 'device.deviceModel -startsWith "Pixel"',
    })
  ).body;
  const users = (
    await admin.post('/beta/groups', {
      displayName: 'Staff',
      'members@odata.bind': ['https://graph.microsoft.com/v1.0/users/john@contoso.com'],
    })
  ).body;
  answers.push({ path: 'POST /beta/groups', body: users });
  const restrictions = await created(CONFIGS, {
    '@odata.type': '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
    displayName: 'Restrictions',
    cameraBlocked: true,
    passwordRequiredType: 'numeric',
  });
  await created(CONFIGS, {
    '@odata.type': '#microsoft.graph.androidDeviceOwnerWiFiConfiguration',
    displayName: 'Store Wi-Fi',
    ssid: 'Store',
    wiFiSecurityType: 'wpaPersonal',
  });
  const compliance = await created(COMPLIANCE, {
    '@odata.type': '#microsoft.graph.androidDeviceOwnerCompliancePolicy',
    displayName: 'Baseline',
    passwordRequired: true,
  });
  const teams = await created(APPS, {
    '@odata.type': '#microsoft.graph.androidManagedStoreApp',
    displayName: 'Teams',
    packageId: 'com.microsoft.teams',
    appIdentifier: 'com.microsoft.teams',
  });
  const filterTarget = {
    '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
    deviceAndAppManagementAssignmentFilterId: filter.id,
    deviceAndAppManagementAssignmentFilterType: 'include',
  };
  const assigned = await admin.post(`${CONFIGS}/${restrictions.id}/assign`, {
    assignments: [
      { target: filterTarget },
      { target: { '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget', groupId: users.id } },
    ],
  });
  answers.push({ path: `POST ${CONFIGS}/{id}/assign`, body: assigned.body });
  const assignedPolicy = await admin.post(`${COMPLIANCE}/${compliance.id}/assign`, {
    assignments: [{ target: { '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget' } }],
  });
  answers.push({ path: `POST ${COMPLIANCE}/{id}/assign`, body: assignedPolicy.body });
  expect(
    (
      await admin.post(`${APPS}/${teams.id}/assign`, {
        mobileAppAssignments: [
          {
            '@odata.type': '#microsoft.graph.mobileAppAssignment',
            intent: 'required',
            target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: users.id },
            settings: {
              '@odata.type': '#microsoft.graph.androidManagedStoreAppAssignmentSettings',
              autoUpdateMode: 'priority',
            },
          },
        ],
      })
    ).status,
  ).toBe(204);
  answers.push({
    path: `PATCH ${CONFIGS}`,
    body: (await admin.patch(`${CONFIGS}/${restrictions.id}`, { description: 'edited' })).body,
  });
  answers.push({
    path: `PATCH ${APPS}`,
    body: (await admin.patch(`${APPS}/${teams.id}`, { publisher: 'Microsoft' })).body,
  });
  const patched = await admin.patch(`${PROFILES}/${staging.id}`, { description: 'edited' });
  answers.push({ path: `PATCH ${PROFILES}`, body: patched.body });

  await read(PROFILES);
  await read(`${PROFILES}/${staging.id}`);
  await read(`${PROFILES}/${revoked.id}`);
  await read(`${PROFILES}/${staging.id}?$select=qrCodeImage,qrCodeContent,tokenValue`);
  await read(DEVICES);
  for (const device of (await read(DEVICES)).value) await read(`${DEVICES}/${device.id}`);
  await read(`${DEVICES}?$select=id,userId,azureADDeviceId&$count=true&$top=1`);
  await read(FILTERS);
  await read(`${FILTERS}/${filter.id}`);
  await read('/beta/groups');
  await read(`/beta/groups/${dynamic.id}`);
  await read(`/beta/groups/${dynamic.id}/members`);
  await read(`/beta/groups/${users.id}/members`);
  for (const [path, item] of [
    [CONFIGS, restrictions],
    [COMPLIANCE, compliance],
    [APPS, teams],
  ] as const) {
    await read(path);
    await read(`${path}?$select=displayName,lastModifiedDateTime&$top=1`);
    await read(`${path}/${item.id}`);
    await read(`${path}/${item.id}?$select=displayName`);
    const assignments = await read(`${path}/${item.id}/assignments`);
    for (const assignment of assignments.value) await read(`${path}/${item.id}/assignments/${assignment.id}`);
    await read(`${path}/${item.id}/assignments?$select=target`);
  }
});

/** An Intune resource created for the checks, its answer kept with the others. */
async function created(path: string, body: Json) {
  const response = await admin.post(path, body);
  expect(response.status).toBe(201);
  answers.push({ path: `POST ${path}`, body: response.body });
  return response.body;
}
afterAll(() => backend.close());

const TYPES: [RegExp, string][] = [
  [/androidDeviceOwnerEnrollmentProfiles/, 'AndroidDeviceOwnerEnrollmentProfile'],
  [/managedDevices/, 'ManagedDevice'],
  [/assignmentFilters/, 'DeviceAndAppManagementAssignmentFilter'],
  [/deviceConfigurations\/.+\/assign/, 'DeviceConfigurationAssignment'],
  [/deviceCompliancePolicies\/.+\/assign/, 'DeviceCompliancePolicyAssignment'],
  [/mobileApps\/.+\/assign/, 'MobileAppAssignment'],
  [/deviceConfigurations/, 'DeviceConfiguration'],
  [/deviceCompliancePolicies/, 'DeviceCompliancePolicy'],
  [/mobileApps/, 'MobileApp'],
  [/groups\/[^/]+\/members/, 'DirectoryObject'],
  [/groups/, 'Group'],
];

describe('Graph shapes', () => {
  it('answers only what the Graph beta types allow', () => {
    const problems: string[] = [];
    for (const { path, body } of answers) {
      const typeName = TYPES.find(([pattern]) => pattern.test(path))![1];
      const found = Array.isArray(body.value)
        ? checkGraphCollection(body, typeName)
        : checkGraphShape(body, typeName);
      problems.push(...found.map((p) => `${path}: ${p.path}: ${p.message}`));
    }
    expect(problems).toEqual([]);
  });

  it('puts @odata.context on every answer', () => {
    for (const { path, body } of answers) {
      expect([path, typeof body['@odata.context']]).toEqual([path, 'string']);
      expect(body['@odata.context']).toMatch(
        new RegExp(`^${backend.url.replace(/[.]/g, '\\.')}/beta/\\$metadata#`),
      );
    }
  });

  it('puts @odata.context on the answers of filter actions and functions too', async () => {
    const filter = answers.find((a) => a.path === `POST ${FILTERS}`)!.body;
    const validated = await admin.post(`${FILTERS}/validateFilter`, {
      deviceAndAppManagementAssignmentFilter: { platform: 'androidForWork', rule: 'device.model -eq "x"' },
    });
    expect(validated.body['@odata.context']).toBe(
      `${backend.url}/beta/$metadata#microsoft.graph.assignmentFilterValidationResult`,
    );
    const supported = await admin.get(`${FILTERS}/${filter.id}/getSupportedProperties`);
    expect(supported.body['@odata.context']).toBe(
      `${backend.url}/beta/$metadata#Collection(microsoft.graph.assignmentFilterSupportedProperty)`,
    );
    const byPlatform = await admin.get(
      `${FILTERS}/getPlatformSupportedProperties(platform='androidForWork')`,
    );
    expect(byPlatform.body['@odata.context']).toBe(supported.body['@odata.context']);
  });

  it('gives managed devices the fields reports read, consistent with their stage', () => {
    const devices = answers.find((a) => a.path === DEVICES)!.body.value;
    const [staged, enrolled] = devices;
    for (const device of devices)
      expect(device).toMatchObject({
        deviceType: 'androidEnterprise',
        operatingSystem: 'Android',
        managementState: 'managed',
        complianceState: 'compliant',
        managementAgent: 'googleCloudDevicePolicyController',
        ownerType: 'company',
        deviceEnrollmentType: 'androidEnterpriseFullyManaged',
        lastSyncDateTime: '2024-06-22T04:20:00.000Z',
      });
    // Userless after staging: no user, not registered in Entra yet.
    expect(staged).toMatchObject({
      userId: '',
      userPrincipalName: '',
      userDisplayName: '',
      azureADRegistered: false,
      azureADDeviceId: '00000000-0000-0000-0000-000000000000',
      simulatorEnrollmentStage: 'staged',
    });
    // After the user's sign-in: the user's object id, name and an Entra device id.
    expect(enrolled).toMatchObject({
      userPrincipalName: 'john@contoso.com',
      emailAddress: 'john@contoso.com',
      userDisplayName: 'john',
      azureADRegistered: true,
      joinType: 'azureADRegistered',
      simulatorEnrollmentStage: 'enrolled',
    });
    expect(enrolled.userId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(enrolled.azureADDeviceId).toMatch(/^[0-9a-f]{8}-/);
    expect(enrolled.azureADDeviceId).not.toBe(enrolled.userId);
  });
});
