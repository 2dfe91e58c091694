import { fixedClock } from '../clock';
import { startBackend, type RunningBackend } from '../server';
import { GraphTestClient, createProfile, type Json } from '../testing/graphTestClient';
import { RawChannel } from '../testing/rawChannel';

/**
 * Targeting per stage, end to end: admin objects created over Graph routes, devices enrolled over the
 * channel, deliveries read from the stageRecorded replies and from managedDevices.
 */
let backend: RunningBackend;
let admin: GraphTestClient;
let profile: Json;

const POLICIES = '/beta/deviceManagement/simulatorPolicies';
const APPS = '/beta/deviceManagement/simulatorApps';
const target = (type: string, extra: Record<string, unknown> = {}) => ({
  target: { '@odata.type': `#microsoft.graph.${type}`, ...extra },
});

async function assign(path: string, displayName: string, ...assignments: unknown[]) {
  const created = await admin.post(path, { displayName });
  expect(created.status).toBe(201);
  const assigned = await admin.post(`${path}/${created.body.id}/assign`, { assignments });
  expect(assigned.status).toBe(200);
}

beforeAll(async () => {
  backend = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
  admin = GraphTestClient.for(backend);
  profile = await createProfile(admin, { displayName: 'Frontline staging' });

  const filter = (
    await admin.post('/beta/deviceManagement/assignmentFilters', {
      displayName: 'Frontline on 13',
      platform: 'androidForWork',
      rule: '(device.enrollmentProfileName -eq "Frontline staging") and (device.osVersion -startsWith "13")',
    })
  ).body;
  const devices = (
    await admin.post('/beta/groups', {
      displayName: 'Frontline devices',
      groupTypes: ['DynamicMembership'],
      membershipRule: '(device.enrollmentProfileName -eq "Frontline staging")',
    })
  ).body;
  const staff = (
    await admin.post('/beta/groups', {
      displayName: 'Store staff',
      'members@odata.bind': [
        'https://graph.microsoft.com/v1.0/users/john@contoso.com',
        'https://graph.microsoft.com/v1.0/users/boss@contoso.com',
      ],
    })
  ).body;
  const managers = (
    await admin.post('/beta/groups', {
      displayName: 'Managers',
      'members@odata.bind': ['https://graph.microsoft.com/v1.0/users/boss@contoso.com'],
    })
  ).body;
  const include = {
    deviceAndAppManagementAssignmentFilterId: filter.id,
    deviceAndAppManagementAssignmentFilterType: 'include',
  };
  const exclude = {
    deviceAndAppManagementAssignmentFilterId: filter.id,
    deviceAndAppManagementAssignmentFilterType: 'exclude',
  };

  await assign(POLICIES, 'Store Wi-Fi', target('allDevicesAssignmentTarget', include));
  await assign(POLICIES, 'Baseline', target('allDevicesAssignmentTarget'));
  await assign(POLICIES, 'Kiosk lockdown', target('groupAssignmentTarget', { groupId: devices.id }));
  await assign(POLICIES, 'Compliance', target('allLicensedUsersAssignmentTarget'));
  await assign(
    POLICIES,
    'Staff rules',
    target('groupAssignmentTarget', { groupId: staff.id }),
    target('exclusionGroupAssignmentTarget', { groupId: managers.id }),
  );
  await assign(APPS, 'Scanner', target('allDevicesAssignmentTarget', include));
  await assign(APPS, 'Fallback browser', target('allDevicesAssignmentTarget', exclude));
  await assign(APPS, 'Teams', target('groupAssignmentTarget', { groupId: staff.id, ...include }));
});
afterAll(() => backend.close());

async function stage(serialNumber: string, osVersion: string) {
  const channel = await RawChannel.open(backend.channelUrl);
  await channel.hello(serialNumber, osVersion);
  await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
  const staged = await channel.request({ type: 'completeStage', stage: 'staged' });
  return { channel, staged };
}

async function enroll(channel: RawChannel, upn: string) {
  expect(await channel.request({ type: 'signIn', upn })).toMatchObject({ type: 'signInAccepted' });
  return channel.request({ type: 'completeStage', stage: 'enrolled' });
}

describe('deliveries', () => {
  it('in stage 2 reach the device only through assignment filters', async () => {
    const { channel, staged } = await stage('TGT13', '13');
    expect(staged.deliveries).toEqual({ policies: ['Store Wi-Fi'], apps: ['Scanner'] });

    const { channel: other, staged: otherStaged } = await stage('TGT14', '14');
    expect(otherStaged.deliveries).toEqual({ policies: [], apps: ['Fallback browser'] });
    await Promise.all([channel.close(), other.close()]);
  });

  it('after sign-in also come through dynamic device groups, user groups and all users', async () => {
    const { channel } = await stage('TGTUSER', '13.1');
    const enrolled = await enroll(channel, 'john@contoso.com');
    expect(enrolled.deliveries).toEqual({
      policies: ['Baseline', 'Compliance', 'Kiosk lockdown', 'Staff rules', 'Store Wi-Fi'],
      apps: ['Scanner', 'Teams'],
    });
    const listed = (
      await admin.get(`/beta/deviceManagement/managedDevices?$filter=serialNumber eq 'TGTUSER'`)
    ).body.value[0];
    expect(listed.simulatorDeliveredPolicies).toEqual(enrolled.deliveries.policies);
    expect(listed.simulatorDeliveredApps).toEqual(enrolled.deliveries.apps);
    await channel.close();
  });

  it('honour exclusion groups and filters on group assignments after sign-in', async () => {
    const { channel } = await stage('TGTBOSS', '14');
    const enrolled = await enroll(channel, 'Boss@Contoso.com');
    // Staff rules: boss is a manager (excluded). Teams: staff, but the include filter needs Android 13.
    expect(enrolled.deliveries).toEqual({
      policies: ['Baseline', 'Compliance', 'Kiosk lockdown'],
      apps: ['Fallback browser'],
    });
    await channel.close();
  });

  it('follow assignment changes for devices that complete a stage later', async () => {
    const { channel, staged } = await stage('TGTLATE', '13');
    expect(staged.deliveries.policies).toEqual(['Store Wi-Fi']);
    const extra = (await admin.post(POLICIES, { displayName: 'Late policy' })).body;
    const filters = (await admin.get('/beta/deviceManagement/assignmentFilters')).body.value;
    await admin.post(`${POLICIES}/${extra.id}/assign`, {
      assignments: [
        target('allDevicesAssignmentTarget', {
          deviceAndAppManagementAssignmentFilterId: filters[0].id,
          deviceAndAppManagementAssignmentFilterType: 'include',
        }),
      ],
    });
    const enrolled = await enroll(channel, 'ann@contoso.com');
    expect(enrolled.deliveries.policies).toContain('Late policy');
    await channel.close();
  });

  it('list a dynamic group’s members by its rule', async () => {
    const groups = (await admin.get('/beta/groups')).body.value;
    const dynamic = groups.find((g: Json) => g.displayName === 'Frontline devices');
    const members = (await admin.get(`/beta/groups/${dynamic.id}/members`)).body.value;
    expect(members.length).toBeGreaterThanOrEqual(4);
    expect(members.every((m: Json) => m['@odata.type'] === '#microsoft.graph.device')).toBe(true);
  });
});
