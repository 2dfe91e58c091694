import { startBackend, type RunningBackend } from '../../server';
import { AdminClient, type Json } from '../../testing/adminClient';

let backend: RunningBackend;
let admin: AdminClient;

beforeAll(async () => {
  backend = await startBackend();
  admin = AdminClient.for(backend);
});
afterAll(() => backend.close());

describe.each([
  ['simulatorPolicies', '/beta/deviceManagement/simulatorPolicies'],
  ['simulatorApps', '/beta/deviceManagement/simulatorApps'],
])('%s', (_name, path) => {
  it('creates, lists, patches and deletes; names are unique', async () => {
    const created = await admin.post(path, { displayName: 'Wi-Fi', description: 'store network' });
    expect(created.status).toBe(201);
    expect((await admin.post(path, { displayName: 'WI-FI' })).status).toBe(409);
    const { '@odata.context': context, ...entity } = created.body;
    expect(context).toBe(`${backend.url}/beta/$metadata#${path.slice('/beta/'.length)}/$entity`);
    expect((await admin.get(path)).body.value).toEqual([entity]);
    expect(
      (await admin.patch(`${path}/${created.body.id}`, { displayName: 'Store Wi-Fi' })).body.displayName,
    ).toBe('Store Wi-Fi');
    expect((await admin.delete(`${path}/${created.body.id}`)).status).toBe(204);
    expect((await admin.get(`${path}/${created.body.id}`)).status).toBe(404);
  });

  it("assigns with Graph's target shapes, replacing earlier assignments", async () => {
    const payload = (await admin.post(path, { displayName: 'Assigned thing' })).body;
    const group = (await admin.post('/beta/groups', { displayName: `Staff for ${path}` })).body;
    const filter = (
      await admin.post('/beta/deviceManagement/assignmentFilters', {
        displayName: `Filter for ${path}`,
        rule: 'device.model -eq "x"',
        platform: 'androidForWork',
      })
    ).body;
    const assigned = await admin.post(`${path}/${payload.id}/assign`, {
      assignments: [
        {
          target: {
            '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
            deviceAndAppManagementAssignmentFilterId: filter.id,
          },
        },
        { target: { '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget', groupId: group.id } },
      ],
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body.value.map((a: Json) => a.target)).toEqual([
      {
        '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
        deviceAndAppManagementAssignmentFilterId: filter.id,
        deviceAndAppManagementAssignmentFilterType: 'include',
      },
      {
        '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget',
        groupId: group.id,
        deviceAndAppManagementAssignmentFilterId: null,
        deviceAndAppManagementAssignmentFilterType: 'none',
      },
    ]);
    await admin.post(`${path}/${payload.id}/assign`, {
      assignments: [{ target: { '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget' } }],
    });
    expect((await admin.get(`${path}/${payload.id}/assignments`)).body.value).toHaveLength(1);
  });

  it('refuses assignments to things that do not exist, and filters on exclusions', async () => {
    const payload = (await admin.post(path, { displayName: 'Refused' })).body;
    const assign = (target: Record<string, unknown>) =>
      admin.post(`${path}/${payload.id}/assign`, { assignments: [{ target }] });
    expect(
      (
        await assign({
          '@odata.type': '#microsoft.graph.groupAssignmentTarget',
          groupId: '00000000-0000-0000-0000-000000000000',
        })
      ).body.error.message,
    ).toMatch(/no group with id/);
    expect(
      (
        await assign({
          '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
          deviceAndAppManagementAssignmentFilterId: 'abc',
        })
      ).body.error.message,
    ).toMatch(/no assignment filter/);
    expect(
      (
        await assign({
          '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
          deviceAndAppManagementAssignmentFilterType: 'include',
        })
      ).status,
    ).toBe(400);
    expect((await assign({ '@odata.type': '#microsoft.graph.everyoneTarget' })).status).toBe(400);
    const group = (await admin.post('/beta/groups', { displayName: `Excluded for ${path}` })).body;
    const filter = (
      await admin.post('/beta/deviceManagement/assignmentFilters', {
        displayName: `Excl filter ${path}`,
        rule: 'device.model -eq "x"',
        platform: 'androidForWork',
      })
    ).body;
    const response = await assign({
      '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget',
      groupId: group.id,
      deviceAndAppManagementAssignmentFilterId: filter.id,
    });
    expect(response.body.error.message).toMatch(/exclusion group cannot have an assignment filter/);
  });
});
