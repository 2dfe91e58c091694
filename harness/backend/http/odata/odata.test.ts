import { fixedClock } from '../../clock';
import { startBackend, type RunningBackend } from '../../server';
import {
  GraphTestClient,
  createProfile,
  PROFILES,
  createAssignmentFilter,
} from '../../testing/graphTestClient';
import { graphPropertiesOf } from '../../testing/graphTypes';
import { RawChannel } from '../../testing/rawChannel';

/** OData query options and request bodies as Graph serves and takes them, over real HTTP. */
const DEVICES = '/beta/deviceManagement/managedDevices';
let backend: RunningBackend;
let admin: GraphTestClient;
const q = (text: string) => encodeURIComponent(text);

beforeAll(async () => {
  const clock = fixedClock('2024-06-22T04:20:00Z');
  backend = await startBackend({ clock });
  admin = GraphTestClient.for(backend);
  const profile = await createProfile(admin, { displayName: 'OData' });
  for (const name of ['Beta', 'alpha', 'Gamma']) await createProfile(admin, { displayName: name });
  const channel = await RawChannel.open(backend.channelUrl);
  for (const [serial, model] of [
    ['OD001', 'Pixel 8'],
    ['OD002', 'Galaxy S23'],
    ['OD003', 'Pixel 7'],
  ] as const) {
    await channel.hello(serial, '14', { model });
    await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    await channel.request({ type: 'completeStage', stage: 'staged' });
    clock.advance(3600_000);
  }
  await channel.request({ type: 'signIn', upn: 'john@contoso.com' });
  await channel.request({ type: 'completeStage', stage: 'enrolled' });
  await channel.close();
});
afterAll(() => backend.close());

const ok = async (path: string) => {
  const response = await admin.get(path);
  expect(response.status).toBe(200);
  return response.body;
};
const refused = async (path: string) => {
  const response = await admin.get(path);
  expect(response.status).toBe(400);
  expect(response.body.error.code).toBe('BadRequest');
  return response.body.error.message as string;
};
const serials = async (query: string) =>
  (await ok(`${DEVICES}?${query}`)).value.map((d: { serialNumber: string }) => d.serialNumber);

describe('$filter on managedDevices', () => {
  it('compares dates with ge, gt, lt and le (DateTimeOffset literals, unquoted)', async () => {
    expect(await serials(`$filter=${q('enrolledDateTime ge 2024-06-22T05:20:00Z')}`)).toEqual([
      'OD002',
      'OD003',
    ]);
    expect(await serials(`$filter=${q('enrolledDateTime gt 2024-06-22T05:20:00Z')}`)).toEqual(['OD003']);
    expect(await serials(`$filter=${q('enrolledDateTime lt 2024-06-22T05:20:00.000Z')}`)).toEqual(['OD001']);
    expect(await serials(`$filter=${q('lastSyncDateTime le 2024-06-22T07:20:00+02:00')}`)).toEqual([
      'OD001',
      'OD002',
    ]);
  });

  it("takes operatingSystem eq 'Android', enums, booleans and null", async () => {
    expect(
      await serials(`$filter=${q("operatingSystem eq 'Android' and complianceState eq 'compliant'")}`),
    ).toHaveLength(3);
    expect(await serials(`$filter=${q('azureADRegistered eq true')}`)).toEqual(['OD003']);
    expect(await serials(`$filter=${q("userPrincipalName eq ''")}`)).toEqual(['OD001', 'OD002']);
    expect(await serials(`$filter=${q('simulatorUserEnrolledDateTime eq null')}`)).toEqual([
      'OD001',
      'OD002',
    ]);
    expect(await serials(`$filter=${q('simulatorUserEnrolledDateTime ne null')}`)).toEqual(['OD003']);
  });

  it('refuses with the messages of Graph’s OData libraries', async () => {
    expect(await refused(`${DEVICES}?$filter=${q("enrolledDateTime ge '2024-06-22'")}`)).toBe(
      "A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind 'GreaterThanOrEqual'.",
    );
    expect(await refused(`${DEVICES}?$filter=${q("notes eq 'x'")}`)).toBe(
      "Could not find a property named 'notes' on type 'microsoft.graph.managedDevice'.",
    );
    expect(await refused(`${DEVICES}?$filter=${q("simulatorDeliveredApps eq 'x'")}`)).toBe(
      "The query specified in the URI is not valid. The property 'simulatorDeliveredApps' cannot be used in the $filter query option.",
    );
    expect(await refused(`${DEVICES}?$filter=${q('enrolledDateTime ge 2024-13')}`)).toMatch(
      /^Syntax error at position 21 in 'enrolledDateTime ge 2024-13': "2024-13" is not a number or a date/,
    );
  });
});

describe('$orderby, $count, $top, $skip, $select', () => {
  it('orders managed devices, ascending unless told, by one or more properties', async () => {
    expect(await serials(`$orderby=${q('enrolledDateTime desc')}`)).toEqual(['OD003', 'OD002', 'OD001']);
    expect(await serials(`$orderby=${q('model,serialNumber desc')}`)).toEqual(['OD002', 'OD003', 'OD001']);
    expect(await refused(`${DEVICES}?$orderby=imei`)).toBe(
      "The query specified in the URI is not valid. The property 'imei' cannot be used in the $orderby query option.",
    );
  });

  it('counts what the filter matched, before $top', async () => {
    const body = await ok(`${DEVICES}?$count=true&$top=1&$filter=${q("startswith(model,'Pixel')")}`);
    expect(body['@odata.count']).toBe(2);
    expect(body.value).toHaveLength(1);
    expect(body['@odata.nextLink']).toContain('%24skiptoken=1');
    expect((await ok(`${DEVICES}?$count=false`))['@odata.count']).toBeUndefined();
    expect(await refused(`${DEVICES}?$count=yes`)).toBe("'yes' is not a valid count option.");
  });

  it('pages profiles with $top and $skip; refuses $orderby, $filter and $count there as documented', async () => {
    const all = (await ok(PROFILES)).value.map((p: { displayName: string }) => p.displayName);
    expect(all).toEqual(['OData', 'Beta', 'alpha', 'Gamma']);
    const page = await ok(`${PROFILES}?$skip=1&$top=2`);
    expect(page.value.map((p: { displayName: string }) => p.displayName)).toEqual(['Beta', 'alpha']);
    const rest = await ok(
      new URL(page['@odata.nextLink']).pathname + new URL(page['@odata.nextLink']).search,
    );
    expect(rest.value.map((p: { displayName: string }) => p.displayName)).toEqual(['Gamma']);
    for (const [option, name] of [
      ['$orderby=displayName', 'OrderBy'],
      [`$filter=${q("displayName eq 'x'")}`, 'Filter'],
      ['$count=true', 'Count'],
      ['$expand=assignments', 'Expand'],
      ['$search=x', 'Search'],
    ]) {
      expect(await refused(`${PROFILES}?${option}`)).toBe(
        `The query specified in the URI is not valid. Query option '${name}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.`,
      );
    }
    expect(await refused(`${PROFILES}?$skip=-1`)).toBe(
      "Invalid value '-1' for $skip query option found. The $skip query option requires a non-negative integer value.",
    );
  });

  it('selects on collections and entities (names without regard to case), and refuses unknown names', async () => {
    const body = await ok(`${DEVICES}?$select=SerialNumber,complianceState`);
    expect(Object.keys(body.value[0])).toEqual(['@odata.type', 'id', 'serialNumber', 'complianceState']);
    expect(body['@odata.context']).toBe(
      `${backend.url}/beta/$metadata#deviceManagement/managedDevices(serialNumber,complianceState)`,
    );
    const one = await ok(`${DEVICES}/${body.value[0].id}?$select=userId`);
    expect(Object.keys(one)).toEqual(['@odata.context', '@odata.type', 'id', 'userId']);
    expect(await refused(`${DEVICES}?$select=id,colour`)).toBe(
      "Parsing OData Select and Expand failed: Could not find a property named 'colour' on type 'microsoft.graph.managedDevice'.",
    );
    expect(await refused(`${DEVICES}/${body.value[0].id}?$top=1`)).toMatch(
      /Query option 'Top' is not allowed/,
    );
  });

  it('reads options without the $ on beta and in any case; refuses unknown and repeated ones', async () => {
    expect(await serials(`top=1&ORDERBY=${q('serialNumber desc')}`)).toEqual(['OD003']);
    expect(await refused(`${DEVICES}?$foo=1`)).toBe("The query parameter '$foo' is not supported.");
    expect(await refused(`${DEVICES}?$top=1&top=2`)).toBe(
      "Query option '$top' was specified more than once, it must be specified at most once.",
    );
    expect(await refused(`${DEVICES}?$skiptoken=abc`)).toBe(
      "The $skiptoken 'abc' was not issued by this service.",
    );
  });
});

describe('request bodies', () => {
  it('refuses a property the Graph type does not have, with Graph’s message', async () => {
    const response = await admin.post(PROFILES, {
      displayName: 'x',
      enrollmentMode: 'corporateOwnedFullyManaged',
      colour: 'red',
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe(
      "The property 'colour' does not exist on type 'microsoft.graph.androidDeviceOwnerEnrollmentProfile'. Make sure to only use property names that are defined by the type or mark the type as open type.",
    );
  });

  it('refuses it the same way on the Intune resources, naming the subtype, and takes every property the subtype has', async () => {
    const type = 'androidDeviceOwnerGeneralDeviceConfiguration';
    const path = '/beta/deviceManagement/deviceConfigurations';
    const refused = await admin.post(path, {
      '@odata.type': `#microsoft.graph.${type}`,
      displayName: 'x',
      colour: 'red',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe(
      `The property 'colour' does not exist on type 'microsoft.graph.${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
    );
    // Every property of the beta type (from Microsoft's .d.ts, not the backend's list) but the
    // relationships: the read-only ones are ignored, the rest stored as sent.
    const relationships = new Set([
      'assignments',
      'deviceSettingStateSummaries',
      'deviceStatuses',
      'deviceStatusOverview',
      'groupAssignments',
      'userStatuses',
      'userStatusOverview',
    ]);
    const body: Record<string, unknown> = {
      '@odata.type': `#microsoft.graph.${type}`,
      displayName: 'Everything',
    };
    for (const name of graphPropertiesOf('AndroidDeviceOwnerGeneralDeviceConfiguration'))
      if (!relationships.has(name) && !(name in body)) body[name] = null;
    const created = await admin.post(path, { ...body, id: 'mine', version: 7 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ displayName: 'Everything', version: 1, cameraBlocked: null });
    expect(created.body.id).not.toBe('mine');
  });

  it('takes every writable property of the beta type, with the documented defaults', async () => {
    const minimal = await createProfile(admin, { displayName: 'Defaults' });
    expect(minimal).toMatchObject({
      configureWifi: true, // "Default value is TRUE"
      wifiSecurityType: 'none',
      wifiHidden: false,
      isTeamsDeviceProfile: false,
      enrollmentTokenType: 'deviceStaging',
      roleScopeTagIds: ['0'],
    });
    // Nothing to join without an SSID: the QR code carries no Wi-Fi.
    expect(minimal.qrCodeContent).not.toContain('PROVISIONING_WIFI');
    const teams = await createProfile(admin, {
      displayName: 'Teams rooms',
      enrollmentMode: 'corporateOwnedDedicatedDevice',
      enrollmentTokenType: 'default',
      isTeamsDeviceProfile: true,
      description: null,
      deviceNameTemplate: 'Room-{{SERIALLAST4DIGITS}}',
      wifiHidden: true,
      roleScopeTagIds: ['0', '1'],
    });
    expect(teams).toMatchObject({ isTeamsDeviceProfile: true, roleScopeTagIds: ['0', '1'] });
    const reread = await ok(`${PROFILES}/${teams.id}`);
    expect(reread.isTeamsDeviceProfile).toBe(true);
  });

  it('accepts a body with every property of androidDeviceOwnerEnrollmentProfile (from the beta types)', async () => {
    const template = await createProfile(admin, {
      displayName: 'Template',
      wifiSsid: 'Store',
      isTeamsDeviceProfile: true,
    });
    const full = await ok(`${PROFILES}/${template.id}?$select=*`);
    const properties = graphPropertiesOf('AndroidDeviceOwnerEnrollmentProfile');
    expect(properties.filter((name) => !(name in full))).toEqual([]);
    // Every property the type has, as GET shows them, in one create.
    const body = Object.fromEntries(properties.map((name) => [name, full[name]]));
    const created = await admin.post(PROFILES, { ...body, displayName: 'From every property' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      displayName: 'From every property',
      isTeamsDeviceProfile: true,
      wifiSsid: 'Store',
    });
    expect(created.body.id).not.toBe(template.id);
    expect(created.body.tokenValue).not.toBe(template.tokenValue);
  });

  it('ignores read-only properties sent back by a GET-then-PATCH, and keeps what they describe', async () => {
    const created = await createProfile(admin, { displayName: 'Round trip' });
    const read = await ok(`${PROFILES}/${created.id}`);
    const patched = await admin.patch(`${PROFILES}/${created.id}`, {
      ...read,
      displayName: 'Round trip, edited',
      tokenValue: 'NOTMYTOKEN',
      enrolledDeviceCount: 99,
      createdDateTime: '2000-01-01T00:00:00Z',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      displayName: 'Round trip, edited',
      tokenValue: created.tokenValue,
      enrolledDeviceCount: 0,
      createdDateTime: created.createdDateTime,
    });
    // The same for assignment filters and groups.
    const filter = await createAssignmentFilter(admin, 'RT', 'device.model -eq "x"');
    const filterBack = await admin.patch(`/beta/deviceManagement/assignmentFilters/${filter.id}`, {
      ...filter,
      description: 'd',
    });
    expect(filterBack.status).toBe(200);
    const group = (await admin.post('/beta/groups', { displayName: 'RT group' })).body;
    expect((await admin.patch(`/beta/groups/${group.id}`, { ...group, description: 'd' })).status).toBe(204);
    const changedKind = await admin.patch(`/beta/groups/${group.id}`, {
      ...group,
      groupTypes: ['DynamicMembership'],
    });
    expect(changedKind.status).toBe(400);
  });

  it('refuses a body that is not an object', async () => {
    const response = await admin.post(PROFILES, [1, 2]);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe(
      'Invalid request body: expected a JSON object of type microsoft.graph.androidDeviceOwnerEnrollmentProfile',
    );
  });
});
