import { Client, GraphError } from '@microsoft/microsoft-graph-client';
import type {
  AndroidDeviceOwnerGeneralDeviceConfiguration,
  DeviceAndAppManagementAssignmentFilter,
  DeviceConfigurationAssignment,
  ManagedDevice,
  MobileApp,
} from '@microsoft/microsoft-graph-types-beta';
import { fixedClock } from '../clock';
import { startBackend, type RunningBackend } from '../server';
import { GraphTestClient, createProfile } from '../testing/graphTestClient';
import { expectGraphCollection, expectGraphShape } from '../testing/graphTypes';
import { RawChannel } from '../testing/rawChannel';

/**
 * An admin script written against Microsoft's own Graph client (@microsoft/microsoft-graph-client),
 * pointed at the backend: it creates an Android Enterprise device restrictions profile, an assignment
 * filter on the enrollment profile name, assigns the profile to all devices through the filter (the
 * staging document's stage-2 targeting), and finds the profile delivered to a device staged over the
 * device channel. The client treats only https:// links as absolute, so plain calls with baseUrl over
 * http are what it can do here (TLS comes with `--tls`).
 */
let backend: RunningBackend;
let client: Client;

beforeAll(async () => {
  backend = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
  client = Client.init({
    authProvider: (done) => done(null, 'not-checked-on-loopback'),
    baseUrl: backend.url,
    defaultVersion: 'beta',
  });
});
afterAll(() => backend.close());

describe("Microsoft's Graph client", () => {
  it('creates a configuration profile, assigns it with a filter, and sees it delivered to a staged device', async () => {
    const profile = await createProfile(GraphTestClient.for(backend), { displayName: 'Frontline staging' });

    const restrictions: AndroidDeviceOwnerGeneralDeviceConfiguration = await client
      .api('/deviceManagement/deviceConfigurations')
      .post({
        '@odata.type': '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
        displayName: 'Frontline restrictions',
        cameraBlocked: true,
        factoryResetBlocked: true,
      });
    expect(restrictions).toMatchObject({
      displayName: 'Frontline restrictions',
      cameraBlocked: true,
      version: 1,
    });
    expectGraphShape(restrictions, 'DeviceConfiguration');

    const filter: DeviceAndAppManagementAssignmentFilter = await client
      .api('/deviceManagement/assignmentFilters')
      .post({
        displayName: 'Frontline staging devices',
        platform: 'androidForWork',
        rule: '(device.enrollmentProfileName -eq "Frontline staging")',
      });

    const assigned: { value: DeviceConfigurationAssignment[] } = await client
      .api(`/deviceManagement/deviceConfigurations/${restrictions.id}/assign`)
      .post({
        assignments: [
          {
            '@odata.type': '#microsoft.graph.deviceConfigurationAssignment',
            target: {
              '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
              deviceAndAppManagementAssignmentFilterId: filter.id,
              deviceAndAppManagementAssignmentFilterType: 'include',
            },
          },
        ],
      });
    expect(assigned.value).toHaveLength(1);
    expectGraphCollection(assigned, 'DeviceConfigurationAssignment');
    const listed: { value: DeviceConfigurationAssignment[] } = await client
      .api(`/deviceManagement/deviceConfigurations/${restrictions.id}/assignments`)
      .get();
    expect(listed.value).toEqual(assigned.value);

    // The vendor stages a device with the profile's token (stage 2).
    const channel = await RawChannel.open(backend.channelUrl);
    await channel.hello('GRAPHSDK1');
    await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    const staged = await channel.request({ type: 'completeStage', stage: 'staged' });
    await channel.close();
    expect(staged.deliveries.policies).toEqual(['Frontline restrictions']);

    const devices: { value: Array<ManagedDevice & Record<string, unknown>> } = await client
      .api('/deviceManagement/managedDevices')
      .filter("serialNumber eq 'GRAPHSDK1'")
      .get();
    expect(devices.value).toHaveLength(1);
    expect(devices.value[0]!.simulatorDeliveredResources).toEqual([
      {
        '@odata.type': '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
        id: restrictions.id,
        displayName: 'Frontline restrictions',
        // The assignment the assign action answered is the one that brought it.
        assignmentIds: assigned.value.map((assignment) => assignment.id),
      },
    ]);
  });

  it('selects and pages the Intune sets and their assignments, every answer a Graph type', async () => {
    const names = ['Maps', 'Outlook', 'Teams', 'Word', 'Excel'];
    const apps: MobileApp[] = [];
    for (const name of names)
      apps.push(
        await client.api('/deviceAppManagement/mobileApps').post({
          '@odata.type': '#microsoft.graph.androidManagedStoreApp',
          displayName: name,
          packageId: `com.contoso.${name.toLowerCase()}`,
        }),
      );
    await client.api(`/deviceAppManagement/mobileApps/${apps[2]!.id}/assign`).post({
      mobileAppAssignments: [
        {
          '@odata.type': '#microsoft.graph.mobileAppAssignment',
          intent: 'required',
          target: { '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget' },
        },
      ],
    });

    // A script's paging loop: the client's select and top, then each @odata.nextLink until none. The
    // client takes only https:// links as absolute (PageIterator over https is in
    // examples/graphClientScript.test.ts), so over http the loop passes the link's path.
    const seen: string[] = [];
    let page: { value: MobileApp[]; '@odata.nextLink'?: string } = await client
      .api('/deviceAppManagement/mobileApps')
      .select(['displayName', 'isAssigned'])
      .top(2)
      .get();
    for (;;) {
      expectGraphCollection(page, 'MobileApp');
      expect(page.value.length).toBeLessThanOrEqual(2);
      for (const app of page.value) {
        expect(Object.keys(app).sort()).toEqual(['@odata.type', 'displayName', 'id', 'isAssigned']);
        seen.push(`${app.displayName}${app.isAssigned ? ' (assigned)' : ''}`);
      }
      const next = page['@odata.nextLink'];
      if (!next) break;
      page = await client.api(next.slice(`${backend.url}/beta`.length)).get();
    }
    expect(seen).toEqual(['Maps', 'Outlook', 'Teams (assigned)', 'Word', 'Excel']);

    const one: MobileApp = await client
      .api(`/deviceAppManagement/mobileApps/${apps[2]!.id}`)
      .select('displayName')
      .get();
    expect(one).toEqual({
      '@odata.context': `${backend.url}/beta/$metadata#deviceAppManagement/mobileApps(displayName)/$entity`,
      '@odata.type': '#microsoft.graph.androidManagedStoreApp',
      id: apps[2]!.id,
      displayName: 'Teams',
    });
    const assignments = await client
      .api(`/deviceAppManagement/mobileApps/${apps[2]!.id}/assignments`)
      .select('intent,target')
      .get();
    expectGraphCollection(assignments, 'MobileAppAssignment');
    expect(assignments.value).toEqual([
      {
        '@odata.type': '#microsoft.graph.mobileAppAssignment',
        id: expect.any(String),
        intent: 'required',
        target: expect.objectContaining({
          '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget',
        }),
      },
    ]);

    const policies = await client.api('/deviceManagement/deviceCompliancePolicies').top(1).get();
    expect(policies['@odata.context']).toBe(
      `${backend.url}/beta/$metadata#deviceManagement/deviceCompliancePolicies`,
    );
    expectGraphCollection(policies, 'DeviceCompliancePolicy');
    const configurations = await client
      .api('/deviceManagement/deviceConfigurations')
      .select(['displayName', 'version'])
      .get();
    expectGraphCollection(configurations, 'DeviceConfiguration');
    for (const item of configurations.value)
      expect(Object.keys(item).sort()).toEqual(['@odata.type', 'displayName', 'id', 'version']);
  });

  it('refuses query options the Intune sets do not take, as GraphError', async () => {
    let caught: unknown;
    try {
      await client.api('/deviceAppManagement/mobileApps').orderby('displayName').get();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GraphError);
    expect(caught).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    expect((caught as GraphError).message).toMatch(/Query option 'OrderBy' is not allowed/);
  });

  it("gets Graph's errors as GraphError with their status and code", async () => {
    let caught: unknown;
    try {
      await client.api('/deviceManagement/deviceConfigurations').post({ displayName: 'No @odata.type' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GraphError);
    expect(caught).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    expect((caught as GraphError).message).toMatch(/@odata\.type: required/);
  });
});
