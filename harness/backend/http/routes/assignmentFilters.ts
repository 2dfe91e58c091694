import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AssignmentFilter } from '../../store/repository';
import { conflict, notFound, parseWith } from '../graphError';
import { ID_PATTERN, iso, type RouteDeps } from '../routeDeps';
import { checkRule } from '../ruleCheck';

export const FILTERS_PATH = '/beta/deviceManagement/assignmentFilters';

const PLATFORMS = [
  'android',
  'androidForWork',
  'iOS',
  'macOS',
  'windows10AndLater',
  'androidAOSP',
  'androidMobileApplicationManagement',
  'iOSMobileApplicationManagement',
  'windowsMobileApplicationManagement',
] as const;

const fields = {
  displayName: z.string().trim().min(1).max(200),
  description: z.string().max(1024).nullable(),
  platform: z.enum(PLATFORMS),
  rule: z.string().min(1),
};
const createSchema = z.strictObject({
  '@odata.type': z.literal('#microsoft.graph.deviceAndAppManagementAssignmentFilter').optional(),
  ...fields,
  description: fields.description.optional(),
  platform: fields.platform.default('androidForWork'),
  roleScopeTags: z.array(z.string()).optional(),
  assignmentFilterManagementType: z.literal('devices').optional(),
});
const patchSchema = z.strictObject({
  ...z.object(fields).partial().shape,
  roleScopeTags: z.array(z.string()).optional(),
});

function filterView(filter: AssignmentFilter) {
  return {
    '@odata.type': '#microsoft.graph.deviceAndAppManagementAssignmentFilter',
    id: filter.id,
    displayName: filter.displayName,
    description: filter.description,
    platform: filter.platform,
    rule: filter.rule,
    assignmentFilterManagementType: 'devices',
    roleScopeTags: ['0'],
    createdDateTime: iso(filter.createdAt),
    lastModifiedDateTime: iso(filter.modifiedAt),
  };
}

/** Assignment filters: a rule over device properties (targeting/parser.ts), names unique as in Intune. */
export function registerAssignmentFilterRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { store, clock } = deps;
  const load = (id: string): AssignmentFilter => {
    const filter = ID_PATTERN.test(id) ? store.getFilter(id) : undefined;
    if (!filter) throw notFound(`no assignment filter with id ${id}`);
    return filter;
  };
  const checkName = (displayName: string, id?: string) => {
    const existing = store.findFilterByName(displayName);
    if (existing && existing.id !== id)
      throw conflict(`an assignment filter named "${displayName}" exists already (${existing.id})`);
  };

  app.get(FILTERS_PATH, async () => ({ value: store.listFilters().map(filterView) }));

  app.post(FILTERS_PATH, async (request, reply) => {
    const body = parseWith(createSchema, request.body);
    checkRule('rule', body.rule);
    checkName(body.displayName);
    const now = clock.now();
    const filter: AssignmentFilter = {
      id: randomUUID(),
      displayName: body.displayName,
      description: body.description ?? null,
      platform: body.platform,
      rule: body.rule,
      createdAt: now,
      modifiedAt: now,
    };
    store.createFilter(filter);
    return reply.code(201).send(filterView(filter));
  });

  app.get<{ Params: { id: string } }>(`${FILTERS_PATH}/:id`, async (request) =>
    filterView(load(request.params.id)),
  );

  app.patch<{ Params: { id: string } }>(`${FILTERS_PATH}/:id`, async (request) => {
    const filter = load(request.params.id);
    const body = parseWith(patchSchema, request.body);
    if (body.rule !== undefined) checkRule('rule', body.rule);
    if (body.displayName !== undefined) checkName(body.displayName, filter.id);
    const updated: AssignmentFilter = {
      ...filter,
      displayName: body.displayName ?? filter.displayName,
      description: body.description === undefined ? filter.description : body.description,
      platform: body.platform ?? filter.platform,
      rule: body.rule ?? filter.rule,
      modifiedAt: clock.now(),
    };
    store.updateFilter(updated);
    return filterView(updated);
  });

  app.delete<{ Params: { id: string } }>(`${FILTERS_PATH}/:id`, async (request, reply) => {
    const filter = load(request.params.id);
    if (store.isReferenced({ filterId: filter.id }))
      throw conflict(
        `assignment filter "${filter.displayName}" is used by an assignment; remove the assignment first`,
      );
    store.deleteFilter(filter.id);
    return reply.code(204).send();
  });
}
