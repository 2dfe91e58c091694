import { fixedClock } from '../clock';
import { startBackend, type RunningBackend } from '../server';
import {
  GraphTestClient,
  createProfile,
  type Json,
  createAssignmentFilter,
} from '../testing/graphTestClient';
import { expectGraphShape } from '../testing/graphTypes';
import { RawChannel } from '../testing/rawChannel';

/**
 * Targeting per stage, end to end: admin objects created over Graph routes, devices enrolled over the
 * channel, deliveries read from the stageRecorded replies and from managedDevices.
 */
let backend: RunningBackend;
let admin: GraphTestClient;
let profile: Json;

const POLICIES = {
  path: '/beta/deviceManagement/deviceConfigurations',
  type: '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
};
const COMPLIANCE = {
  path: '/beta/deviceManagement/deviceCompliancePolicies',
  type: '#microsoft.graph.androidDeviceOwnerCompliancePolicy',
};
const APPS = {
  path: '/beta/deviceAppManagement/mobileApps',
  type: '#microsoft.graph.androidManagedStoreApp',
};
type Resource = typeof POLICIES;
const created = new Map<string, string>();

const target = (type: string, extra: Record<string, unknown> = {}, intent?: string) => ({
  ...(intent === undefined ? {} : { intent }),
  target: { '@odata.type': `#microsoft.graph.${type}`, ...extra },
});

/** Creates the resource and assigns it with the body its assign action takes. */
async function assign(
  resource: Resource,
  displayName: string,
  ...assignments: Array<Record<string, unknown>>
) {
  const response = await admin.post(resource.path, { '@odata.type': resource.type, displayName });
  expect(response.status).toBe(201);
  created.set(displayName, response.body.id);
  const isApp = resource === APPS;
  const assigned = await admin.post(
    `${resource.path}/${response.body.id}/assign`,
    isApp
      ? { mobileAppAssignments: assignments.map((a) => ({ intent: 'required', ...a })) }
      : { assignments },
  );
  expect(assigned.status).toBe(isApp ? 204 : 200);
}

beforeAll(async () => {
  backend = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
  admin = GraphTestClient.for(backend);
  profile = await createProfile(admin, { displayName: 'Frontline staging' });

  const filter = await createAssignmentFilter(
    admin,
    'Frontline on 13',
    '(device.enrollmentProfileName -eq "Frontline staging") and (device.osVersion -startsWith "13")',
  );
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
  await assign(COMPLIANCE, 'Compliance', target('allLicensedUsersAssignmentTarget'));
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
    // The record names each resource as Graph does, and is a Graph managedDevice.
    expectGraphShape(listed, 'ManagedDevice');
    expect(
      listed.simulatorDeliveredResources.map(({ assignmentIds: _ids, ...resource }: Json) => resource),
    ).toEqual([
      { '@odata.type': POLICIES.type, id: created.get('Baseline'), displayName: 'Baseline' },
      { '@odata.type': COMPLIANCE.type, id: created.get('Compliance'), displayName: 'Compliance' },
      { '@odata.type': POLICIES.type, id: created.get('Kiosk lockdown'), displayName: 'Kiosk lockdown' },
      { '@odata.type': APPS.type, id: created.get('Scanner'), displayName: 'Scanner', intent: 'required' },
      { '@odata.type': POLICIES.type, id: created.get('Staff rules'), displayName: 'Staff rules' },
      { '@odata.type': POLICIES.type, id: created.get('Store Wi-Fi'), displayName: 'Store Wi-Fi' },
      { '@odata.type': APPS.type, id: created.get('Teams'), displayName: 'Teams', intent: 'required' },
    ]);
    // Each names the assignments of that resource that brought it, which Graph lists as its own.
    for (const resource of listed.simulatorDeliveredResources) {
      const set = [POLICIES, COMPLIANCE, APPS].find((kind) => kind.type === resource['@odata.type'])!;
      const assigned = (await admin.get(`${set.path}/${resource.id}/assignments`)).body.value;
      expect(resource.assignmentIds.length).toBeGreaterThan(0);
      expect(assigned.map((assignment: Json) => assignment.id)).toEqual(
        expect.arrayContaining(resource.assignmentIds),
      );
    }
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
    const filters = (await admin.get('/beta/deviceManagement/assignmentFilters')).body.value;
    await assign(
      POLICIES,
      'Late policy',
      target('allDevicesAssignmentTarget', {
        deviceAndAppManagementAssignmentFilterId: filters[0].id,
        deviceAndAppManagementAssignmentFilterType: 'include',
      }),
    );
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

describe('exclusions, intents and filters on groups, as Intune documents them', () => {
  let own: RunningBackend;
  beforeAll(async () => {
    own = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
    admin = GraphTestClient.for(own);
    profile = await createProfile(admin, { displayName: 'Frontline staging' });
    const filter = await createAssignmentFilter(
      admin,
      'Frontline profile',
      '(device.enrollmentProfileName -eq "Frontline staging")',
    );
    const devices = (
      await admin.post('/beta/groups', {
        displayName: 'Frontline devices',
        groupTypes: ['DynamicMembership'],
        membershipRule: '(device.enrollmentProfileName -eq "Frontline staging")',
      })
    ).body;
    const staff = (
      await admin.post('/beta/groups', {
        displayName: 'Staff',
        'members@odata.bind': ['https://graph.microsoft.com/v1.0/users/john@contoso.com'],
      })
    ).body;
    const withFilter = (type: 'include' | 'exclude') => ({
      deviceAndAppManagementAssignmentFilterId: filter.id,
      deviceAndAppManagementAssignmentFilterType: type,
    });
    const excludeDevices = target('exclusionGroupAssignmentTarget', { groupId: devices.id });
    const excludeStaff = target('exclusionGroupAssignmentTarget', { groupId: staff.id });

    // Exclusion wins between groups of one type; across types it has no effect.
    await assign(
      POLICIES,
      'Devices minus device group',
      target('allDevicesAssignmentTarget'),
      excludeDevices,
    );
    await assign(POLICIES, 'Devices minus user group', target('allDevicesAssignmentTarget'), excludeStaff);
    await assign(
      POLICIES,
      'Users minus user group',
      target('allLicensedUsersAssignmentTarget'),
      excludeStaff,
    );
    await assign(
      POLICIES,
      'Users minus device group',
      target('allLicensedUsersAssignmentTarget'),
      excludeDevices,
    );
    // A group combined with a filter.
    await assign(
      POLICIES,
      'Staff with include filter',
      target('groupAssignmentTarget', { groupId: staff.id, ...withFilter('include') }),
    );
    await assign(
      POLICIES,
      'Devices with exclude filter',
      target('groupAssignmentTarget', { groupId: devices.id, ...withFilter('exclude') }),
    );
    // Stage 2 through a filter, a compliance policy as well as a profile; "remove" delivers nothing.
    await assign(
      COMPLIANCE,
      'Stage 2 compliance',
      target('allDevicesAssignmentTarget', withFilter('include')),
    );
    await assign(POLICIES, 'Removed', {
      intent: 'remove',
      ...target('allDevicesAssignmentTarget', withFilter('include')),
    });
    // App intents in conflict.
    await assign(
      APPS,
      'Required over uninstall',
      target('groupAssignmentTarget', { groupId: staff.id }, 'required'),
      target('allDevicesAssignmentTarget', {}, 'uninstall'),
    );
    await assign(
      APPS,
      'User uninstall over available',
      target('allLicensedUsersAssignmentTarget', {}, 'available'),
      target('groupAssignmentTarget', { groupId: staff.id }, 'uninstall'),
    );
    await assign(
      APPS,
      'Available over device uninstall',
      target('allLicensedUsersAssignmentTarget', {}, 'available'),
      target('allDevicesAssignmentTarget', {}, 'uninstall'),
    );
  });
  afterAll(() => own.close());

  it('stage 2: only the filtered assignment, and not one whose intent is remove', async () => {
    const channel = await RawChannel.open(own.channelUrl);
    await channel.hello('EXCL2', '14');
    await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    const staged = await channel.request({ type: 'completeStage', stage: 'staged' });
    expect(staged.deliveries).toEqual({ policies: ['Stage 2 compliance'], apps: [] });
    await channel.close();
  });

  it('after sign-in: exclusions by group type, filters on groups, and the winning app intent', async () => {
    const channel = await RawChannel.open(own.channelUrl);
    await channel.hello('EXCL3', '14');
    await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    await channel.request({ type: 'completeStage', stage: 'staged' });
    const enrolled = await enroll(channel, 'john@contoso.com');
    expect(enrolled.deliveries).toEqual({
      policies: [
        'Devices minus user group',
        'Staff with include filter',
        'Stage 2 compliance',
        'Users minus device group',
      ],
      apps: ['Required over uninstall'],
    });
    const device = (await admin.get(`/beta/deviceManagement/managedDevices?$filter=serialNumber eq 'EXCL3'`))
      .body.value[0];
    expect(
      device.simulatorDeliveredResources
        .filter((r: Json) => r['@odata.type'] === APPS.type)
        .map((r: Json) => [r.displayName, r.intent]),
    ).toEqual([
      ['Available over device uninstall', 'available'],
      ['Required over uninstall', 'required'],
      ['User uninstall over available', 'uninstall'],
    ]);
    await channel.close();
  });

  it('a user outside the user group: the user exclusion does not apply, nor the group with its filter', async () => {
    const channel = await RawChannel.open(own.channelUrl);
    await channel.hello('EXCL4', '14');
    await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    await channel.request({ type: 'completeStage', stage: 'staged' });
    const enrolled = await enroll(channel, 'mary@contoso.com');
    expect(enrolled.deliveries).toEqual({
      policies: [
        'Devices minus user group',
        'Stage 2 compliance',
        'Users minus device group',
        'Users minus user group',
      ],
      apps: [],
    });
    await channel.close();
  });
});
