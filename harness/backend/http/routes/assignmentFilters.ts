import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AssignmentFilter } from '../../store/repository';
import { supportedPropertiesFor } from '../../targeting/intune/supportedProperties';
import { parseFilterRule } from '../../targeting/intune/filterRule';
import { managementTypeOf, platformSchema, type FilterPlatform } from '../../targeting/platforms';
import { isStagesimError } from '../../../../agent/errors';
import { badRequest, conflict, notFound, parseWith } from '../graphError';
import { readBody } from '../odata/body';
import type { EntitySet } from '../odata/entitySet';
import { answerCollection, answerEntity, entityResponse, operationContext } from '../odata/respond';
import { ID_PATTERN, iso, type RouteDeps } from '../routeDeps';
import { checkFilterRule } from '../ruleCheck';

export const FILTERS_PATH = '/beta/deviceManagement/assignmentFilters';

const fields = {
  displayName: z.string().trim().min(1).max(200),
  description: z.string().max(1024).nullable(),
  platform: platformSchema,
  rule: z.string().min(1),
};
const managementTypeSchema = z.enum(['devices', 'apps']);
const createSchema = z.strictObject({
  '@odata.type': z.literal('#microsoft.graph.deviceAndAppManagementAssignmentFilter').optional(),
  ...fields,
  description: fields.description.optional(),
  // Graph: "Default filter will be applied to 'unknown'", a platform with no properties, so a filter
  // created without one is refused for its rule and says which platforms there are.
  platform: fields.platform.default('unknown'),
  roleScopeTags: z.array(z.string()).optional(),
  assignmentFilterManagementType: managementTypeSchema.optional(),
});
const patchSchema = z.strictObject({
  '@odata.type': createSchema.shape['@odata.type'],
  ...z.object(fields).partial().shape,
  roleScopeTags: z.array(z.string()).optional(),
  assignmentFilterManagementType: managementTypeSchema.optional(),
});
// validateFilter takes a whole filter as Graph clients send it, read-only fields and all.
const validateSchema = z.strictObject({
  deviceAndAppManagementAssignmentFilter: z.looseObject({
    platform: fields.platform.default('unknown'),
    rule: z.string(),
    assignmentFilterManagementType: managementTypeSchema.optional(),
  }),
});
const SUPPORTED_PROPERTIES = 'Collection(microsoft.graph.assignmentFilterSupportedProperty)';
const PLATFORM_FUNCTION = /^getPlatformSupportedProperties\(platform='([^']*)'\)$/;

function filterView(filter: AssignmentFilter) {
  return {
    '@odata.type': '#microsoft.graph.deviceAndAppManagementAssignmentFilter',
    id: filter.id,
    displayName: filter.displayName,
    description: filter.description,
    platform: filter.platform,
    rule: filter.rule,
    assignmentFilterManagementType: managementTypeOf(filter.platform as FilterPlatform),
    roleScopeTags: ['0'],
    createdDateTime: iso(filter.createdAt),
    lastModifiedDateTime: iso(filter.modifiedAt),
  };
}

export const ASSIGNMENT_FILTERS: EntitySet = {
  path: 'deviceManagement/assignmentFilters',
  type: 'microsoft.graph.deviceAndAppManagementAssignmentFilter',
  properties: [
    'id',
    'displayName',
    'description',
    'platform',
    'rule',
    'assignmentFilterManagementType',
    'roleScopeTags',
    'createdDateTime',
    'lastModifiedDateTime',
  ],
  readOnly: ['id', 'createdDateTime', 'lastModifiedDateTime', 'payloads'],
};

/**
 * Assignment filters: a rule in Intune's filter language over the properties of the filter's platform
 * (targeting/intune/), names unique as in Intune; the validateFilter action and the getSupportedProperties
 * and getPlatformSupportedProperties functions.
 */
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

  const checkManagementType = (platform: FilterPlatform, asked: 'devices' | 'apps' | undefined) => {
    if (asked !== undefined && asked !== managementTypeOf(platform))
      throw badRequest(
        `assignmentFilterManagementType: filters of platform ${platform} are for managed ${managementTypeOf(platform)}, not ${asked}`,
      );
  };

  app.get(FILTERS_PATH, async (request) =>
    answerCollection(request, ASSIGNMENT_FILTERS, store.listFilters().map(filterView)),
  );

  app.post(`${FILTERS_PATH}/validateFilter`, async (request) => {
    const { deviceAndAppManagementAssignmentFilter: filter } = parseWith(validateSchema, request.body);
    checkManagementType(filter.platform, filter.assignmentFilterManagementType);
    let problem: string | null = null;
    try {
      parseFilterRule(filter.rule, filter.platform);
    } catch (error) {
      if (!isStagesimError(error, 'RULE_SYNTAX')) throw error;
      problem = error.message;
    }
    return {
      '@odata.context': operationContext(request, 'microsoft.graph.assignmentFilterValidationResult'),
      value: {
        '@odata.type': '#microsoft.graph.assignmentFilterValidationResult',
        isValidRule: problem === null,
        // Graph answers only isValidRule; the simulator says why, under a name of its own.
        ...(problem === null ? {} : { simulatorValidationError: problem }),
      },
    };
  });

  app.get<{ Params: { id: string } }>(`${FILTERS_PATH}/:id/getSupportedProperties`, async (request) => ({
    '@odata.context': operationContext(request, SUPPORTED_PROPERTIES),
    value: supportedPropertiesFor(load(request.params.id).platform as FilterPlatform),
  }));

  app.post(FILTERS_PATH, async (request, reply) => {
    const body = readBody(ASSIGNMENT_FILTERS, createSchema, request.body);
    checkManagementType(body.platform, body.assignmentFilterManagementType);
    checkFilterRule('rule', body.rule, body.platform);
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
    return reply.code(201).send(entityResponse(request, ASSIGNMENT_FILTERS, filterView(filter)));
  });

  app.get<{ Params: { id: string } }>(`${FILTERS_PATH}/:id`, async (request) => {
    const platformFunction = PLATFORM_FUNCTION.exec(request.params.id);
    if (platformFunction) {
      const platform = parseWith(platformSchema, platformFunction[1], 'platform parameter');
      return {
        '@odata.context': operationContext(request, SUPPORTED_PROPERTIES),
        value: supportedPropertiesFor(platform),
      };
    }
    const filter = load(request.params.id);
    return answerEntity(request, ASSIGNMENT_FILTERS, () => filterView(filter));
  });

  app.patch<{ Params: { id: string } }>(`${FILTERS_PATH}/:id`, async (request) => {
    const filter = load(request.params.id);
    const body = readBody(ASSIGNMENT_FILTERS, patchSchema, request.body);
    const platform = body.platform ?? (filter.platform as FilterPlatform);
    // An assignment was checked against the filter's platform when it was made; moving the filter to
    // another platform would leave it on assignments it cannot fit.
    if (platform !== filter.platform && store.isReferenced({ filterId: filter.id }))
      throw badRequest(
        `platform: assignment filter "${filter.displayName}" is used by an assignment, so it keeps its platform ${filter.platform}`,
      );
    if (body.rule !== undefined || platform !== filter.platform)
      checkFilterRule('rule', body.rule ?? filter.rule, platform);
    if (body.displayName !== undefined) checkName(body.displayName, filter.id);
    const updated: AssignmentFilter = {
      ...filter,
      displayName: body.displayName ?? filter.displayName,
      description: body.description === undefined ? filter.description : body.description,
      platform,
      rule: body.rule ?? filter.rule,
      modifiedAt: clock.now(),
    };
    store.updateFilter(updated);
    return entityResponse(request, ASSIGNMENT_FILTERS, filterView(updated));
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
