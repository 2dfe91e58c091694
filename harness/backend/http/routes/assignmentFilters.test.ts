import { startBackend, type RunningBackend } from '../../server';
import { AdminClient, type Json } from '../../testing/adminClient';

const FILTERS = '/beta/deviceManagement/assignmentFilters';
let backend: RunningBackend;
let admin: AdminClient;

beforeAll(async () => {
  backend = await startBackend();
  admin = AdminClient.for(backend);
});
afterAll(() => backend.close());

describe('assignmentFilters', () => {
  it('creates, reads, patches and deletes a filter', async () => {
    const created = await admin.post(FILTERS, {
      displayName: 'Android 13',
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
    expect((await admin.get(FILTERS)).body.value.map((f: Json) => f.id)).toContain(created.body.id);
    expect((await admin.delete(`${FILTERS}/${created.body.id}`)).status).toBe(204);
    expect((await admin.get(`${FILTERS}/${created.body.id}`)).status).toBe(404);
  });

  it('refuses a rule with a syntax error, naming the position', async () => {
    const response = await admin.post(FILTERS, {
      displayName: 'Broken',
      rule: '(device.osVersion -startsWith "13"',
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe(
      'rule: rule error at position 35: expected ")" to close the "(" at position 1, found the end of the rule',
    );
    const patch = await admin.post(FILTERS, { displayName: 'Fine', rule: 'device.model -eq "x"' });
    expect(
      (await admin.patch(`${FILTERS}/${patch.body.id}`, { rule: 'device.model = "x"' })).body.error.message,
    ).toMatch(/position 14/);
  });

  it('keeps names unique (409) and refuses to delete a filter in use (409)', async () => {
    const first = await admin.post(FILTERS, { displayName: 'Unique', rule: 'device.model -eq "x"' });
    const second = await admin.post(FILTERS, { displayName: 'unique', rule: 'device.model -eq "y"' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('Conflict');

    const policy = (
      await admin.post('/beta/deviceManagement/simulatorPolicies', { displayName: 'Uses filter' })
    ).body;
    await admin.post(`/beta/deviceManagement/simulatorPolicies/${policy.id}/assign`, {
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
    await admin.post(`/beta/deviceManagement/simulatorPolicies/${policy.id}/assign`, { assignments: [] });
    expect((await admin.delete(`${FILTERS}/${first.body.id}`)).status).toBe(204);
  });
});
