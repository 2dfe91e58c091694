import { COLLECTIONS, RESOURCE_KINDS } from '../../resources/catalogue';
import { startBackend, type RunningBackend } from '../../server';
import { GraphTestClient, type Json, createAssignmentFilter } from '../../testing/graphTestClient';
import { expectGraphCollection, expectGraphShape } from '../../testing/graphTypes';

/**
 * deviceConfigurations, deviceCompliancePolicies and mobileApps over real HTTP: CRUD per Android
 * Enterprise subtype, the assign actions with their documented bodies and answers, refusals, and every
 * object answered checked against @microsoft/microsoft-graph-types-beta (testing/graphTypes.ts).
 */
let backend: RunningBackend;
let admin: GraphTestClient;

const CONFIGS = COLLECTIONS.deviceConfiguration.path;
const COMPLIANCE = COLLECTIONS.deviceCompliancePolicy.path;
const APPS = COLLECTIONS.mobileApp.path;

/** Settings a few types are created with: values their .d.ts types take. */
const SETTINGS: Record<string, Record<string, unknown>> = {
  androidDeviceOwnerGeneralDeviceConfiguration: { cameraBlocked: true, screenCaptureBlocked: true },
  androidDeviceOwnerWiFiConfiguration: {
    networkName: 'Contoso',
    ssid: 'Contoso',
    wiFiSecurityType: 'wpaPersonal',
    preSharedKey: 'store-passphrase',
  },
  androidDeviceOwnerTrustedRootCertificate: { certFileName: 'root.cer', trustedRootCertificate: 'MIIB' },
  androidDeviceOwnerCompliancePolicy: { passwordRequired: true, osMinimumVersion: '10.0' },
  androidManagedStoreApp: {
    packageId: 'com.microsoft.teams',
    appIdentifier: 'com.microsoft.teams',
    publisher: 'Microsoft',
  },
  androidManagedStoreWebApp: { appStoreUrl: 'https://intranet.contoso.com' },
};

beforeAll(async () => {
  backend = await startBackend();
  admin = GraphTestClient.for(backend);
});
afterAll(() => backend.close());

async function newGroup(displayName: string, dynamic = false) {
  const body = dynamic
    ? { displayName, groupTypes: ['DynamicMembership'], membershipRule: '(device.deviceModel -eq "Pixel 8")' }
    : { displayName };
  return (await admin.post('/beta/groups', body)).body;
}
async function newFilter(displayName: string) {
  return createAssignmentFilter(admin, displayName, '(device.manufacturer -eq "Google")');
}

describe.each(
  RESOURCE_KINDS.flatMap((kind) => COLLECTIONS[kind].subtypes.map((subtype) => [kind, subtype] as const)),
)('%s %s', (kind, subtype) => {
  const { path } = COLLECTIONS[kind];
  const odataType = `#microsoft.graph.${subtype}`;

  it('is created, read, listed, updated and deleted with its settings kept as sent', async () => {
    const settings = SETTINGS[subtype] ?? {};
    const created = await admin.post(path, {
      '@odata.type': odataType,
      displayName: `${subtype} one`,
      description: 'as the admin center sends it',
      ...settings,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      '@odata.type': odataType,
      displayName: `${subtype} one`,
      description: 'as the admin center sends it',
      roleScopeTagIds: ['0'],
      ...settings,
    });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expectGraphShape(created.body, COLLECTIONS[kind].baseInterface);
    const { id } = created.body;
    const set = path.replace('/beta/', '');
    expect(created.body['@odata.context']).toBe(`${backend.url}/beta/$metadata#${set}/$entity`);
    expect((await admin.get(`${path}/${id}`)).body).toEqual(created.body);
    const { '@odata.context': _context, ...item } = created.body;
    const listed = (await admin.get(path)).body;
    expect(listed['@odata.context']).toBe(`${backend.url}/beta/$metadata#${set}`);
    expect(listed.value).toContainEqual(item);
    expectGraphCollection(listed, COLLECTIONS[kind].baseInterface);

    const patched = await admin.patch(`${path}/${id}`, {
      displayName: `${subtype} renamed`,
      roleScopeTagIds: ['0', '7'],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      displayName: `${subtype} renamed`,
      roleScopeTagIds: ['0', '7'],
      ...settings,
    });
    if (kind === 'mobileApp') expect(patched.body).not.toHaveProperty('version');
    else expect([created.body.version, patched.body.version]).toEqual([1, 2]);
    expectGraphShape(patched.body, COLLECTIONS[kind].baseInterface);

    expect((await admin.delete(`${path}/${id}`)).status).toBe(204);
    expect((await admin.get(`${path}/${id}`)).status).toBe(404);
  });
});

describe('bodies Graph would refuse', () => {
  const refusal = async (method: 'post' | 'patch', path: string, body: unknown) => {
    const response = method === 'post' ? await admin.post(path, body) : await admin.patch(path, body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('BadRequest');
    return response.body.error.message as string;
  };

  it('names what is wrong in one line, and stores nothing', async () => {
    const before = (await admin.get(CONFIGS)).body.value.length;
    expect(await refusal('post', CONFIGS, { displayName: 'No type' })).toMatch(
      /@odata\.type: required, one of #microsoft\.graph\.androidDeviceOwnerGeneralDeviceConfiguration/,
    );
    expect(
      await refusal('post', CONFIGS, {
        '@odata.type': '#microsoft.graph.iosGeneralDeviceConfiguration',
        displayName: 'iOS',
      }),
    ).toMatch(/@odata\.type: expected one of/);
    expect(
      await refusal('post', CONFIGS, {
        '@odata.type': '#microsoft.graph.androidManagedStoreApp',
        displayName: 'App here',
      }),
    ).toMatch(/@odata\.type/);
    expect(
      await refusal('post', CONFIGS, {
        '@odata.type': '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
        displayName: 'Typo',
        cameraBlockd: true,
      }),
    ).toBe(
      "The property 'cameraBlockd' does not exist on type 'microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration'. Make sure to only use property names that are defined by the type or mark the type as open type.",
    );
    expect(
      await refusal('post', CONFIGS, {
        '@odata.type': '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
        displayName: 'Inline',
        assignments: [],
      }),
    ).toMatch(/assignments: a relationship .* use POST …\/assign/);
    expect(
      await refusal('post', CONFIGS, {
        '@odata.type': '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
      }),
    ).toMatch(/displayName/);
    expect(await refusal('post', CONFIGS, [1, 2])).toBe(
      'Invalid request body: expected a JSON object of type microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
    );
    expect(
      await refusal('post', APPS, {
        '@odata.type': '#microsoft.graph.androidManagedStoreApp',
        displayName: 'X',
        version: 3,
        notAnAppProperty: 1,
      }),
    ).toMatch(/'notAnAppProperty' does not exist on type 'microsoft.graph.androidManagedStoreApp'/);
    expect((await admin.get(CONFIGS)).body.value.length).toBe(before);
  });

  it('keeps the type on update, and answers 404 for what does not exist', async () => {
    const created = (
      await admin.post(COMPLIANCE, {
        '@odata.type': '#microsoft.graph.androidDeviceOwnerCompliancePolicy',
        displayName: 'Baseline',
      })
    ).body;
    expect(
      await refusal('patch', `${COMPLIANCE}/${created.id}`, {
        '@odata.type': '#microsoft.graph.iosCompliancePolicy',
      }),
    ).toMatch(/@odata\.type/);
    // Repeating the type, and sending back what the service sets, is fine.
    const echoed = await admin.patch(`${COMPLIANCE}/${created.id}`, {
      ...created,
      description: 'echoed back',
    });
    expect(echoed.status).toBe(200);
    expect(echoed.body).toMatchObject({
      id: created.id,
      createdDateTime: created.createdDateTime,
      description: 'echoed back',
    });
    for (const path of [CONFIGS, COMPLIANCE, APPS]) {
      expect((await admin.get(`${path}/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
      expect((await admin.get(`${path}/not-an-id!`)).status).toBe(404);
    }
    // A compliance policy is not reachable as a configuration.
    expect((await admin.get(`${CONFIGS}/${created.id}`)).status).toBe(404);
  });
});

describe('assign and assignments', () => {
  it('configuration profiles: {"assignments": [...]} answers 200 with deviceConfigurationAssignments', async () => {
    const profile = (
      await admin.post(CONFIGS, {
        '@odata.type': '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
        displayName: 'Kiosk',
      })
    ).body;
    const group = await newGroup('Frontline devices', true);
    const excluded = await newGroup('Managers');
    const filter = await newFilter('Google devices');
    const assigned = await admin.post(`${CONFIGS}/${profile.id}/assign`, {
      assignments: [
        {
          '@odata.type': '#microsoft.graph.deviceConfigurationAssignment',
          target: {
            '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
            deviceAndAppManagementAssignmentFilterId: filter.id,
            deviceAndAppManagementAssignmentFilterType: 'exclude',
          },
        },
        // Graph's own examples write target types without the '#'.
        {
          target: {
            '@odata.type': 'microsoft.graph.groupAssignmentTarget',
            groupId: group.id,
            deviceAndAppManagementAssignmentFilterId: filter.id,
          },
        },
        {
          target: { '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget', groupId: excluded.id },
        },
      ],
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body.value).toHaveLength(3);
    expect(assigned.body.value[1]).toEqual({
      '@odata.type': '#microsoft.graph.deviceConfigurationAssignment',
      id: expect.any(String),
      intent: 'apply',
      source: 'direct',
      sourceId: null,
      target: {
        '@odata.type': '#microsoft.graph.groupAssignmentTarget',
        groupId: group.id,
        deviceAndAppManagementAssignmentFilterId: filter.id,
        deviceAndAppManagementAssignmentFilterType: 'include',
      },
    });
    expect(assigned.body['@odata.context']).toBe(
      `${backend.url}/beta/$metadata#Collection(microsoft.graph.deviceConfigurationAssignment)`,
    );
    const list = (await admin.get(`${CONFIGS}/${profile.id}/assignments`)).body;
    // Graph's context for a relationship: the set, the key in parentheses, the relationship's name.
    expect(list['@odata.context']).toBe(
      `${backend.url}/beta/$metadata#deviceManagement/deviceConfigurations('${profile.id}')/assignments`,
    );
    expectGraphCollection(list, 'DeviceConfigurationAssignment');
    const listed = list.value;
    expect(listed).toEqual(assigned.body.value);
    const one = await admin.get(`${CONFIGS}/${profile.id}/assignments/${listed[2].id}`);
    expect(one.body).toEqual({
      '@odata.context': `${list['@odata.context']}/$entity`,
      ...listed[2],
    });
    const selected = await admin.get(`${CONFIGS}/${profile.id}/assignments?$select=target&$top=1`);
    expect(selected.body.value).toEqual([
      { '@odata.type': listed[0]['@odata.type'], id: listed[0].id, target: listed[0].target },
    ]);
    expect(selected.body['@odata.nextLink']).toMatch(/skiptoken=1$/);
    expect((await admin.get(`${CONFIGS}/${profile.id}/assignments/nope`)).status).toBe(404);
    for (const assignment of listed) expectGraphShape(assignment, 'DeviceConfigurationAssignment');
    // assign replaces everything the profile had.
    await admin.post(`${CONFIGS}/${profile.id}/assign`, {
      assignments: [{ target: { '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget' } }],
    });
    expect((await admin.get(`${CONFIGS}/${profile.id}/assignments`)).body.value).toHaveLength(1);
  });

  it('compliance policies: the same body, deviceCompliancePolicyAssignments without an intent', async () => {
    const policy = (
      await admin.post(COMPLIANCE, {
        '@odata.type': '#microsoft.graph.androidDeviceOwnerCompliancePolicy',
        displayName: 'Compliant',
      })
    ).body;
    const assigned = await admin.post(`${COMPLIANCE}/${policy.id}/assign`, {
      assignments: [
        {
          '@odata.type': '#microsoft.graph.deviceCompliancePolicyAssignment',
          target: { '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget' },
        },
      ],
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body.value[0]).not.toHaveProperty('intent');
    expect(assigned.body.value[0]['@odata.type']).toBe('#microsoft.graph.deviceCompliancePolicyAssignment');
    expectGraphShape(assigned.body.value[0], 'DeviceCompliancePolicyAssignment');
    // A configuration's intent is not a compliance policy's.
    const refused = await admin.post(`${COMPLIANCE}/${policy.id}/assign`, {
      assignments: [
        { intent: 'apply', target: { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget' } },
      ],
    });
    expect(refused.status).toBe(400);
  });

  it('apps: {"mobileAppAssignments": [...]} with an intent answers 204; the assignments list them', async () => {
    const app = (
      await admin.post(APPS, {
        '@odata.type': '#microsoft.graph.androidManagedStoreApp',
        displayName: 'Teams',
        packageId: 'com.microsoft.teams',
      })
    ).body;
    expect(app.isAssigned).toBe(false);
    const staff = await newGroup('Store staff');
    const assigned = await admin.post(`${APPS}/${app.id}/assign`, {
      mobileAppAssignments: [
        {
          '@odata.type': '#microsoft.graph.mobileAppAssignment',
          intent: 'required',
          target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: staff.id },
          settings: {
            '@odata.type': '#microsoft.graph.androidManagedStoreAppAssignmentSettings',
            androidManagedStoreAppTrackIds: [],
            autoUpdateMode: 'priority',
          },
        },
        {
          intent: 'available',
          target: { '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget' },
        },
      ],
    });
    expect(assigned.status).toBe(204);
    expect(assigned.text).toBe('');
    const listed = (await admin.get(`${APPS}/${app.id}/assignments`)).body.value;
    expect(listed.map((a: Json) => [a.intent, a.target['@odata.type']])).toEqual([
      ['required', '#microsoft.graph.groupAssignmentTarget'],
      ['available', '#microsoft.graph.allLicensedUsersAssignmentTarget'],
    ]);
    expect(listed[0].settings).toEqual({
      '@odata.type': '#microsoft.graph.androidManagedStoreAppAssignmentSettings',
      androidManagedStoreAppTrackIds: [],
      autoUpdateMode: 'priority',
    });
    expect(listed[1].settings).toBeNull();
    expect((await admin.get(`${APPS}/${app.id}`)).body.isAssigned).toBe(true);
    for (const assignment of listed) expectGraphShape(assignment, 'MobileAppAssignment');
  });

  it('refuses, in one line, what Intune would not take, and keeps the assignments it had', async () => {
    const app = (
      await admin.post(APPS, {
        '@odata.type': '#microsoft.graph.androidManagedStoreApp',
        displayName: 'Refusals',
      })
    ).body;
    const group = await newGroup('Refusal group');
    const filter = await newFilter('Refusal filter');
    const ok = {
      intent: 'required',
      target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: group.id },
    };
    expect((await admin.post(`${APPS}/${app.id}/assign`, { mobileAppAssignments: [ok] })).status).toBe(204);
    const refused = async (body: unknown) => {
      const response = await admin.post(`${APPS}/${app.id}/assign`, body);
      expect(response.status).toBe(400);
      return response.body.error.message as string;
    };
    const target = (extra: Record<string, unknown>) => ({
      mobileAppAssignments: [{ intent: 'required', target: extra }],
    });
    expect(await refused({ assignments: [ok] })).toMatch(/mobileAppAssignments/);
    expect(await refused({ mobileAppAssignments: [{ target: ok.target }] })).toMatch(
      /mobileAppAssignments\.0\.intent/,
    );
    expect(await refused({ mobileAppAssignments: [{ ...ok, intent: 'install' }] })).toMatch(/intent/);
    expect(await refused({ mobileAppAssignments: [ok, { ...ok, intent: 'available' }] })).toBe(
      'mobileAppAssignments.1.target: targets the same group as mobileAppAssignments.0',
    );
    expect(
      await refused({
        mobileAppAssignments: [
          { ...ok, settings: { '@odata.type': '#microsoft.graph.iosStoreAppAssignmentSettings' } },
        ],
      }),
    ).toMatch(/settings\.@odata\.type/);
    expect(await refused(target({ '@odata.type': '#microsoft.graph.groupAssignmentTarget' }))).toMatch(
      /needs a groupId/,
    );
    expect(
      await refused(
        target({ '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget', groupId: group.id }),
      ),
    ).toMatch(/has no groupId/);
    expect(
      await refused(
        target({
          '@odata.type': '#microsoft.graph.groupAssignmentTarget',
          groupId: '00000000-0000-0000-0000-000000000000',
        }),
      ),
    ).toMatch(/no group with id/);
    expect(
      await refused(
        target({
          '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
          deviceAndAppManagementAssignmentFilterId: 'abc',
        }),
      ),
    ).toMatch(/no assignment filter/);
    expect(
      await refused(
        target({
          '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
          deviceAndAppManagementAssignmentFilterType: 'include',
        }),
      ),
    ).toMatch(/include needs a deviceAndAppManagementAssignmentFilterId/);
    expect(
      await refused(
        target({
          '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget',
          groupId: group.id,
          deviceAndAppManagementAssignmentFilterId: filter.id,
        }),
      ),
    ).toMatch(/exclusion group cannot have an assignment filter/);
    expect(await refused(target({ '@odata.type': '#microsoft.graph.everyoneTarget' }))).toMatch(
      /expected one of/,
    );
    // A filter of another platform than Android Enterprise's (issue 14's filterAssignmentProblem).
    const iosFilter = await createAssignmentFilter(
      admin,
      'iPhones',
      '(device.model -startsWith "iPhone")',
      'iOS',
    );
    expect(
      await refused(
        target({
          '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
          deviceAndAppManagementAssignmentFilterId: iosFilter.id,
        }),
      ),
    ).toMatch(
      /^mobileAppAssignments\.0\.target\.deviceAndAppManagementAssignmentFilterId: assignment filter "iPhones" is for .*\(iOS\)/,
    );
    expect((await admin.get(`${APPS}/${app.id}/assignments`)).body.value).toHaveLength(1);
  });
});

describe('the filter and group an assignment uses', () => {
  it('a filter in use cannot be deleted; once unassigned it can', async () => {
    const filter = await newFilter('In use');
    const profile = (
      await admin.post(CONFIGS, {
        '@odata.type': '#microsoft.graph.androidDeviceOwnerWiFiConfiguration',
        displayName: 'Wi-Fi',
      })
    ).body;
    await admin.post(`${CONFIGS}/${profile.id}/assign`, {
      assignments: [
        {
          target: {
            '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
            deviceAndAppManagementAssignmentFilterId: filter.id,
          },
        },
      ],
    });
    expect((await admin.delete(`/beta/deviceManagement/assignmentFilters/${filter.id}`)).status).toBe(409);
    await admin.post(`${CONFIGS}/${profile.id}/assign`, { assignments: [] });
    expect((await admin.delete(`/beta/deviceManagement/assignmentFilters/${filter.id}`)).status).toBe(204);
  });
});

describe('OData on the Intune sets', () => {
  const refused = async (path: string) => {
    const response = await admin.get(path);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('BadRequest');
    return response.body.error.message as string;
  };

  it('selects base-type properties, pages with $top, and every page fits the Graph types', async () => {
    for (const name of ['Paged one', 'Paged two', 'Paged three'])
      await admin.post(APPS, {
        '@odata.type': '#microsoft.graph.androidManagedStoreApp',
        displayName: name,
        packageId: `com.contoso.${name.replace(/\W/g, '').toLowerCase()}`,
      });
    const all = (await admin.get(APPS)).body.value as Json[];
    const seen: string[] = [];
    let next: string | undefined = `${APPS}?$select=displayName,isAssigned&$top=2`;
    while (next) {
      const page: Json = (await admin.get(next.replace(backend.url, ''))).body;
      expect(page['@odata.context']).toBe(
        `${backend.url}/beta/$metadata#deviceAppManagement/mobileApps(displayName,isAssigned)`,
      );
      expectGraphCollection(page, 'MobileApp');
      for (const item of page.value) {
        expect(Object.keys(item).sort()).toEqual(['@odata.type', 'displayName', 'id', 'isAssigned']);
        seen.push(item.id);
      }
      expect(page.value.length).toBeLessThanOrEqual(2);
      next = page['@odata.nextLink'];
    }
    expect(seen).toEqual(all.map((item) => item.id));

    const one = await admin.get(`${APPS}/${all[0]!.id}?$select=displayName`);
    expect(one.body).toEqual({
      '@odata.context': `${backend.url}/beta/$metadata#deviceAppManagement/mobileApps(displayName)/$entity`,
      '@odata.type': all[0]!['@odata.type'],
      id: all[0]!.id,
      displayName: all[0]!.displayName,
    });
    expectGraphShape(one.body, 'MobileApp');
  });

  it("refuses what the sets do not support with Graph's messages, ignoring none", async () => {
    expect(await refused(`${CONFIGS}?$select=cameraBlockd`)).toBe(
      "Parsing OData Select and Expand failed: Could not find a property named 'cameraBlockd' on type 'microsoft.graph.deviceConfiguration'.",
    );
    // Relationships are not properties to select.
    expect(await refused(`${CONFIGS}?$select=assignments`)).toMatch(
      /Could not find a property named 'assignments'/,
    );
    for (const [option, name] of [
      ['$filter=displayName eq %27x%27', 'Filter'],
      ['$orderby=displayName', 'OrderBy'],
      ['$count=true', 'Count'],
      ['$skip=1', 'Skip'],
      ['$expand=assignments', 'Expand'],
      ['$search=x', 'Search'],
    ] as const)
      for (const path of [CONFIGS, COMPLIANCE, APPS])
        expect(await refused(`${path}?${option}`)).toMatch(`Query option '${name}' is not allowed`);
    expect(await refused(`${COMPLIANCE}?$top=0`)).toMatch(/Invalid value '0' for \$top/);
    expect(await refused(`${COMPLIANCE}?$bogus=1`)).toBe("The query parameter '$bogus' is not supported.");
    const policy = (
      await admin.post(COMPLIANCE, {
        '@odata.type': '#microsoft.graph.androidDeviceOwnerCompliancePolicy',
        displayName: 'Options on one',
      })
    ).body;
    expect(await refused(`${COMPLIANCE}/${policy.id}?$top=1`)).toMatch(/Query option 'Top' is not allowed/);
    const assign = await admin.post(`${COMPLIANCE}/${policy.id}/assign?$top=1`, { assignments: [] });
    expect(assign.status).toBe(400);
  });

  it('takes back everything a GET answered (read-only properties and annotations ignored) on every set', async () => {
    for (const [path, body] of [
      [
        CONFIGS,
        {
          '@odata.type': '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
          displayName: 'Round trip',
          cameraBlocked: true,
        },
      ],
      [
        COMPLIANCE,
        { '@odata.type': '#microsoft.graph.androidDeviceOwnerCompliancePolicy', displayName: 'Round trip' },
      ],
      [
        APPS,
        {
          '@odata.type': '#microsoft.graph.androidManagedStoreApp',
          displayName: 'Round trip',
          packageId: 'com.contoso.rt',
        },
      ],
    ] as const) {
      const created = (await admin.post(path, body)).body;
      const read = (await admin.get(`${path}/${created.id}`)).body;
      const patched = await admin.patch(`${path}/${created.id}`, {
        ...read,
        id: 'other',
        version: 99,
        description: 'again',
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        id: created.id,
        createdDateTime: created.createdDateTime,
        description: 'again',
      });
      expectGraphShape(patched.body, 'Entity');
    }
  });
});
