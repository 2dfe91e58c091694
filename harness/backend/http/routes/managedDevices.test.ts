import { fixedClock } from '../../clock';
import { startBackend, type RunningBackend } from '../../server';
import { GraphTestClient, createProfile, type Json } from '../../testing/graphTestClient';
import { RawChannel } from '../../testing/rawChannel';

const DEVICES = '/beta/deviceManagement/managedDevices';
let backend: RunningBackend;
let admin: GraphTestClient;

beforeAll(async () => {
  backend = await startBackend({ clock: fixedClock('2024-06-22T04:20:00Z') });
  admin = GraphTestClient.for(backend);
  const profile = await createProfile(admin, {});
  const channel = await RawChannel.open(backend.channelUrl);
  for (const [serial, model] of [
    ['MD001', 'Pixel 7'],
    ['MD002', 'Pixel 8'],
    ['MD003', 'Galaxy S23'],
    ['MD004', "O'Brien phone"],
  ]) {
    await channel.hello(serial!, '14', { model });
    await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    await channel.request({ type: 'completeStage', stage: 'staged' });
  }
  await channel.request({ type: 'signIn', upn: 'john@contoso.com' });
  await channel.request({ type: 'completeStage', stage: 'enrolled' });
  // A device that only said hello, or only redeemed a token, is no managed device yet.
  await channel.hello('MD005');
  await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
  await channel.close();
});
afterAll(() => backend.close());

const serials = async (query: string) => {
  const response = await admin.get(`${DEVICES}${query}`);
  expect(response.status).toBe(200);
  return response.body.value.map((d: Json) => d.serialNumber);
};

describe('managedDevices', () => {
  it('lists devices that completed stage 2, in the order they first said hello', async () => {
    expect(await serials('')).toEqual(['MD001', 'MD002', 'MD003', 'MD004']);
  });

  it('filters with $filter: eq, ne, startswith, contains, and, or, not', async () => {
    expect(await serials(`?$filter=${encodeURIComponent("model eq 'pixel 8'")}`)).toEqual(['MD002']);
    expect(
      await serials(
        `?$filter=${encodeURIComponent("startswith(model,'Pixel') and serialNumber ne 'MD001'")}`,
      ),
    ).toEqual(['MD002']);
    expect(
      await serials(
        `?$filter=${encodeURIComponent("contains(model,'Galaxy') or userPrincipalName eq 'john@contoso.com'")}`,
      ),
    ).toEqual(['MD003', 'MD004']);
    expect(
      await serials(`?$filter=${encodeURIComponent("not (startswith(deviceName, 'Staging_'))")}`),
    ).toEqual(['MD004']);
    expect(await serials(`?$filter=${encodeURIComponent("model eq 'O''Brien phone'")}`)).toEqual(['MD004']);
    expect(await serials(`?$filter=${encodeURIComponent("simulatorEnrollmentStage eq 'staged'")}`)).toEqual([
      'MD001',
      'MD002',
      'MD003',
    ]);
    // A lookup by serial number, answered without listing every device, still ignores case.
    expect(await serials(`?$filter=${encodeURIComponent("serialNumber eq 'md003'")}`)).toEqual(['MD003']);
    expect(await serials(`?$filter=${encodeURIComponent("SerialNumber EQ 'MD002'")}`)).toEqual(['MD002']);
    expect(await serials(`?$filter=${encodeURIComponent("serialNumber eq 'MD''999'")}`)).toEqual([]);
  });

  it('pages with $top and @odata.nextLink', async () => {
    const first = (await admin.get(`${DEVICES}?$top=3`)).body;
    expect(first.value.map((d: Json) => d.serialNumber)).toEqual(['MD001', 'MD002', 'MD003']);
    const next = new URL(first['@odata.nextLink']);
    const second = (await admin.get(`${next.pathname}${next.search}`)).body;
    expect(second.value.map((d: Json) => d.serialNumber)).toEqual(['MD004']);
    expect(second['@odata.nextLink']).toBeUndefined();
    // An exact page has no next link; a filtered list pages over the devices that match.
    expect((await admin.get(`${DEVICES}?$top=4`)).body['@odata.nextLink']).toBeUndefined();
    const staged = (
      await admin.get(
        `${DEVICES}?$top=2&$filter=${encodeURIComponent("simulatorEnrollmentStage eq 'staged'")}`,
      )
    ).body;
    expect(staged.value.map((d: Json) => d.serialNumber)).toEqual(['MD001', 'MD002']);
    const stagedNext = new URL(staged['@odata.nextLink']);
    const stagedRest = (await admin.get(`${stagedNext.pathname}${stagedNext.search}`)).body;
    expect(stagedRest.value.map((d: Json) => d.serialNumber)).toEqual(['MD003']);
    expect(stagedRest['@odata.nextLink']).toBeUndefined();
  });

  it('answers 400 for a bad $filter or $top, naming the position', async () => {
    const unknown = await admin.get(`${DEVICES}?$filter=${encodeURIComponent("colour eq '1'")}`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(
      "Could not find a property named 'colour' on type 'microsoft.graph.managedDevice'.",
    );
    const operator = await admin.get(`${DEVICES}?$filter=${encodeURIComponent("model gt 'a'")}`);
    expect(operator.body.error.message).toBe(
      "Syntax error at position 7 in 'model gt 'a'': expected eq or ne",
    );
    expect((await admin.get(`${DEVICES}?$top=0`)).status).toBe(400);
    expect((await admin.get(`${DEVICES}?$top=ten`)).body.error.message).toMatch(/\$top/);
  });

  it('gets one device by id, 404 for others', async () => {
    const [first] = (await admin.get(DEVICES)).body.value;
    expect((await admin.get(`${DEVICES}/${first.id}`)).body).toEqual({
      '@odata.context': `${backend.url}/beta/$metadata#deviceManagement/managedDevices/$entity`,
      ...first,
    });
    expect((await admin.get(`${DEVICES}/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
  });
});
