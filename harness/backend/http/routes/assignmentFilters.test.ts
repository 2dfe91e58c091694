import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@microsoft/microsoft-graph-client';
import type {
  AssignmentFilterSupportedProperty,
  AssignmentFilterValidationResult,
} from '@microsoft/microsoft-graph-types-beta';
import { startBackend, type RunningBackend } from '../../server';
import { DEVICE_PLATFORM_TYPES } from '../../targeting/platforms';
import { GraphTestClient } from '../../testing/graphTestClient';
import { expectGraphCollection, expectGraphShape } from '../../testing/graphTypes';

const FILTERS = '/beta/deviceManagement/assignmentFilters';
const POLICIES = '/beta/deviceManagement/deviceConfigurations';
/** An Android Enterprise device restrictions profile, something a filter can be assigned with. */
const policyBody = (displayName: string) => ({
  '@odata.type': '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
  displayName,
});
let backend: RunningBackend;
let admin: GraphTestClient;
let graph: Client;

beforeAll(async () => {
  backend = await startBackend();
  admin = GraphTestClient.for(backend);
  // The official Graph client, pointed at the simulator.
  graph = Client.init({
    authProvider: (done) => done(null, 'unused'),
    baseUrl: `${backend.url}/`,
    defaultVersion: 'beta',
  });
});
afterAll(() => backend.close());

let names = 0;
const create = (body: Record<string, unknown>) =>
  admin.post(FILTERS, { displayName: `Filter ${(names += 1)}`, ...body });

describe('assignmentFilters', () => {
  it('creates, reads, patches and deletes a filter', async () => {
    const created = await admin.post(FILTERS, {
      displayName: 'Android 13',
      platform: 'androidForWork',
      rule: 'device.osVersion -startsWith "13"',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      displayName: 'Android 13',
      platform: 'androidForWork',
      rule: 'device.osVersion -startsWith "13"',
      assignmentFilterManagementType: 'devices',
    });
    expect((await admin.get(`${FILTERS}/${created.body.id}`)).body).toEqual(created.body);
    const patched = await admin.patch(`${FILTERS}/${created.body.id}`, {
      rule: 'device.osVersion -in ["13", "14"]',
    });
    expect(patched.status).toBe(200);
    expect(patched.body.rule).toBe('device.osVersion -in ["13", "14"]');
    expect((await admin.get(FILTERS)).body.value.map((f: { id: string }) => f.id)).toContain(created.body.id);
    expect((await admin.delete(`${FILTERS}/${created.body.id}`)).status).toBe(204);
    expect((await admin.get(`${FILTERS}/${created.body.id}`)).status).toBe(404);
  });

  it("takes what the issue found refused: the kit's ownership filter, dash-less operators, $null", async () => {
    for (const rule of [
      '(device.deviceOwnership -eq "Corporate")',
      '(device.manufacturer eq "samsung")',
      '(device.enrollmentProfileName -ne $null)',
      '(device.operatingSystemVersion -ge 13) and (device.model startsWith "Pixel")',
    ]) {
      const response = await create({ platform: 'androidForWork', rule });
      expect({ rule, status: response.status }).toEqual({ rule, status: 201 });
    }
  });

  it("creates the public kit's Android filters as they are written", async () => {
    const kit = JSON.parse(
      readFileSync(
        join(__dirname, '../../targeting/fixtures/intune-hydration-kit-android-filters.json'),
        'utf8',
      ),
    ) as { filters: { displayName: string; description: string; platform: string; rule: string }[] };
    for (const filter of kit.filters) {
      const response = await admin.post(FILTERS, filter);
      expect({ name: filter.displayName, status: response.status }).toEqual({
        name: filter.displayName,
        status: 201,
      });
      expect(response.body).toMatchObject(filter);
      expectGraphShape(response.body, 'DeviceAndAppManagementAssignmentFilter');
    }
  });

  it("refuses what the platform does not offer with Graph's 400, naming the property or operator and its position", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { platform: 'androidForWork', rule: '(device.cpuArchitecture -eq "arm64")' },
        'rule: rule error at position 2: device.cpuArchitecture is not offered for Android Enterprise (androidForWork) filters; it applies to macOS, Windows 10 and later',
      ],
      [
        { platform: 'androidForWork', rule: '(device.model -notStartsWith "Pixel")' },
        'rule: rule error at position 15: -notStartsWith is not an operator of Intune filter rules (Entra membership rules have it; Intune filter rules do not); device.model takes -eq, -ne, -in, -notIn, -startsWith, -contains, -notContains',
      ],
      [
        { platform: 'androidForWork', rule: 'not (device.model -eq "x")' },
        'rule: rule error at position 1: "not" is not an operator of Intune filter rules; use -ne, -notIn or -notContains, or assign the filter in exclude mode',
      ],
      [
        { rule: '(device.model -eq "x")' },
        'rule: rule error at position 2: unknown (unknown) filters have no properties; give the filter the platform of the devices it is for, e.g. androidForWork (Android Enterprise)',
      ],
      [
        { platform: 'unknownFutureValue', rule: '(device.model -eq "x")' },
        "Invalid request body: platform: unknownFutureValue is Graph's evolvable-enum sentinel and cannot be a filter's platform",
      ],
      [
        { platform: 'androidEnterprise', rule: '(device.model -eq "x")' },
        expect.stringMatching(/^Invalid request body: platform: /) as unknown as string,
      ],
      [
        {
          platform: 'androidForWork',
          assignmentFilterManagementType: 'apps',
          rule: '(device.model -eq "x")',
        },
        'assignmentFilterManagementType: filters of platform androidForWork are for managed devices, not apps',
      ],
    ];
    for (const [body, message] of cases) {
      const response = await create(body);
      expect({ body, status: response.status, error: response.body.error }).toEqual({
        body,
        status: 400,
        error: expect.objectContaining({ code: 'BadRequest', message }),
      });
    }
  });

  it('takes every devicePlatformType Graph has, each with a rule its properties allow', async () => {
    for (const platform of DEVICE_PLATFORM_TYPES.filter(
      (p) => !['unknownFutureValue', 'unknown', 'windowsPhone81', 'windows81AndLater'].includes(p),
    )) {
      const apps = platform.endsWith('MobileApplicationManagement');
      const response = await create({
        platform,
        rule: apps ? '(app.osVersion -startsWith "1")' : '(device.osVersion -startsWith "1")',
      });
      expect({ platform, status: response.status }).toEqual({ platform, status: 201 });
      expect(response.body.assignmentFilterManagementType).toBe(apps ? 'apps' : 'devices');
    }
  });

  it('re-checks the rule when the platform changes, and keeps the platform of a filter an assignment uses', async () => {
    const filter = (
      await create({ platform: 'androidForWork', rule: '(device.enrollmentProfileName -eq "A")' })
    ).body;
    const toAdmin = await admin.patch(`${FILTERS}/${filter.id}`, { platform: 'android' });
    expect(toAdmin.status).toBe(400);
    expect(toAdmin.body.error.message).toMatch(
      /^rule: rule error at position 2: device\.enrollmentProfileName is not offered for Android device administrator \(android\) filters/,
    );
    expect((await admin.patch(`${FILTERS}/${filter.id}`, { platform: 'iOS' })).status).toBe(200);
    expect((await admin.patch(`${FILTERS}/${filter.id}`, { platform: 'androidForWork' })).status).toBe(200);
    const policy = (await admin.post(POLICIES, policyBody('Keeps platform'))).body;
    await admin.post(`${POLICIES}/${policy.id}/assign`, {
      assignments: [
        {
          target: {
            '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
            deviceAndAppManagementAssignmentFilterId: filter.id,
          },
        },
      ],
    });
    const moved = await admin.patch(`${FILTERS}/${filter.id}`, { platform: 'iOS' });
    expect(moved.status).toBe(400);
    expect(moved.body.error.message).toBe(
      `platform: assignment filter "${filter.displayName}" is used by an assignment, so it keeps its platform androidForWork`,
    );
  });

  it('refuses an assignment whose filter is for another platform', async () => {
    const policy = (await admin.post(POLICIES, policyBody('Android only'))).body;
    for (const platform of ['iOS', 'windows10AndLater', 'macOS', 'android', 'androidAOSP']) {
      const filter = (await create({ platform, rule: '(device.model -startsWith "x")' })).body;
      const response = await admin.post(`${POLICIES}/${policy.id}/assign`, {
        assignments: [
          {
            target: {
              '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
              deviceAndAppManagementAssignmentFilterId: filter.id,
              deviceAndAppManagementAssignmentFilterType: 'include',
            },
          },
        ],
      });
      expect({ platform, status: response.status }).toEqual({ platform, status: 400 });
      expect(response.body.error.message).toMatch(
        new RegExp(
          `^assignments\\.0\\.target\\.deviceAndAppManagementAssignmentFilterId: assignment filter "${filter.displayName}" is for .*\\(${platform}\\); an assignment of a Android Enterprise \\(androidForWork\\) policy or app takes filters of its own platform$`,
        ),
      );
    }
    const personal = (
      await create({ platform: 'androidWorkProfile', rule: '(device.model -startsWith "x")' })
    ).body;
    const fits = await admin.post(`${POLICIES}/${policy.id}/assign`, {
      assignments: [
        {
          target: {
            '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
            deviceAndAppManagementAssignmentFilterId: personal.id,
          },
        },
      ],
    });
    expect(fits.status).toBe(200);
  });

  it('keeps names unique (409) and refuses to delete a filter in use (409)', async () => {
    const first = await create({
      displayName: 'Unique',
      platform: 'androidForWork',
      rule: 'device.model -eq "x"',
    });
    const second = await create({
      displayName: 'unique',
      platform: 'androidForWork',
      rule: 'device.model -eq "y"',
    });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('Conflict');
    const policy = (await admin.post(POLICIES, policyBody('Uses filter'))).body;
    await admin.post(`${POLICIES}/${policy.id}/assign`, {
      assignments: [
        {
          target: {
            '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
            deviceAndAppManagementAssignmentFilterId: first.body.id,
            deviceAndAppManagementAssignmentFilterType: 'include',
          },
        },
      ],
    });
    expect((await admin.delete(`${FILTERS}/${first.body.id}`)).status).toBe(409);
    await admin.post(`${POLICIES}/${policy.id}/assign`, { assignments: [] });
    expect((await admin.delete(`${FILTERS}/${first.body.id}`)).status).toBe(204);
  });
});

describe('validateFilter, getSupportedProperties and getPlatformSupportedProperties through the official Graph client', () => {
  const validate = (filter: Record<string, unknown>) =>
    graph
      .api('/deviceManagement/assignmentFilters/validateFilter')
      .post({ deviceAndAppManagementAssignmentFilter: filter }) as Promise<{
      value: AssignmentFilterValidationResult & { simulatorValidationError?: string };
    }>;

  it('validates a rule for its platform without creating anything', async () => {
    const before = (await admin.get(FILTERS)).body.value.length;
    // Graph's own example body, with a rule of the language.
    const valid = await validate({
      '@odata.type': '#microsoft.graph.deviceAndAppManagementAssignmentFilter',
      id: '819818db-18db-8198-db18-9881db189881',
      createdDateTime: '2017-01-01T00:02:43.5775965-08:00',
      displayName: 'Display Name value',
      platform: 'androidForWork',
      rule: '(device.enrollmentProfileName -ne $null)',
      roleScopeTags: ['Role Scope Tags value'],
    });
    expect(valid.value).toEqual({
      '@odata.type': '#microsoft.graph.assignmentFilterValidationResult',
      isValidRule: true,
    });
    expectGraphShape(valid.value, 'AssignmentFilterValidationResult');
    const invalid = await validate({
      platform: 'androidForWork',
      rule: '(device.cpuArchitecture -eq "arm64")',
    });
    expect(invalid.value).toEqual({
      '@odata.type': '#microsoft.graph.assignmentFilterValidationResult',
      isValidRule: false,
      simulatorValidationError:
        'rule error at position 2: device.cpuArchitecture is not offered for Android Enterprise (androidForWork) filters; it applies to macOS, Windows 10 and later',
    });
    expect(
      (await validate({ platform: 'macOS', rule: '(device.cpuArchitecture -eq "arm64")' })).value.isValidRule,
    ).toBe(true);
    expect((await admin.get(FILTERS)).body.value.length).toBe(before);
  });

  it('answers a malformed validateFilter body with a 400', async () => {
    await expect(validate({ platform: 'androidForWork' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadRequest',
      message: expect.stringMatching(/deviceAndAppManagementAssignmentFilter\.rule/),
    });
  });

  it("lists the properties, operators and values a filter's platform offers", async () => {
    const filter = (await create({ platform: 'androidForWork', rule: '(device.model -eq "x")' })).body;
    const { value } = (await graph
      .api(`/deviceManagement/assignmentFilters/${filter.id}/getSupportedProperties`)
      .get()) as {
      value: AssignmentFilterSupportedProperty[];
    };
    expectGraphCollection({ value }, 'AssignmentFilterSupportedProperty');
    expect(value.map((property) => property.name)).toEqual([
      'deviceCategory',
      'deviceName',
      'deviceOwnership',
      'enrollmentProfileName',
      'isRooted',
      'manufacturer',
      'model',
      'operatingSystemVersion',
      'osVersion',
    ]);
    expect(value.find((property) => property.name === 'deviceOwnership')).toEqual({
      '@odata.type': '#microsoft.graph.assignmentFilterSupportedProperty',
      name: 'deviceOwnership',
      dataType: 'String',
      isCollection: false,
      propertyRegexConstraint: null,
      supportedOperators: ['equals', 'notEquals'],
      supportedValues: ['Personal', 'Corporate', 'Unknown'],
    });
    expect(value.find((property) => property.name === 'operatingSystemVersion')?.supportedOperators).toEqual([
      'equals',
      'notEquals',
      'greaterThan',
      'greaterThanOrEquals',
      'lessThan',
      'lessThanOrEquals',
    ]);
    const macOS = (await graph
      .api("/deviceManagement/assignmentFilters/getPlatformSupportedProperties(platform='macOS')")
      .get()) as { value: AssignmentFilterSupportedProperty[] };
    expect(macOS.value.find((property) => property.name === 'cpuArchitecture')?.supportedValues).toEqual([
      'x64',
      'arm64',
      'unknown',
    ]);
    expect(macOS.value.map((property) => property.name)).not.toContain('enrollmentProfileName');
    await expect(
      graph
        .api("/deviceManagement/assignmentFilters/getPlatformSupportedProperties(platform='android10')")
        .get(),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
