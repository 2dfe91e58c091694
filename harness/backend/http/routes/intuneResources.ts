import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  COLLECTIONS,
  GRAPH_NAMESPACE,
  RESOURCE_KINDS,
  type ResourceCollection,
} from '../../resources/catalogue';
import { assignmentSet, parseResourceBody, RESOURCE_SETS } from '../../resources/resourceBody';
import type { Assignment, Payload } from '../../store/repository';
import {
  checkTarget,
  graphTypeSchema,
  refuseRepeatedTargets,
  targetSchema,
  targetView,
} from '../assignmentTargets';
import { notFound, parseWith } from '../graphError';
import { readQueryOptions } from '../odata/query';
import { answerCollection, answerEntity, entityResponse, operationContext } from '../odata/respond';
import { ID_PATTERN, iso, type RouteDeps } from '../routeDeps';

/**
 * Graph beta's Intune resources that are assigned to devices and users, each an entity set with CRUD,
 * its assign action and its assignments (see ../../resources/catalogue.ts for the sets and subtypes):
 *   /beta/deviceManagement/deviceConfigurations
 *   /beta/deviceManagement/deviceCompliancePolicies
 *   /beta/deviceAppManagement/mobileApps
 * `assign` replaces all of a resource's assignments, as Graph's does.
 */

const sourceFields = {
  id: z.string().max(256).optional(),
  source: z.enum(['direct', 'policySets']).optional(),
  sourceId: z.string().max(256).nullable().optional(),
};

const configurationAssignmentSchema = z.strictObject({
  '@odata.type': graphTypeSchema(['deviceConfigurationAssignment']).optional(),
  intent: z.enum(['apply', 'remove']).nullable().optional(),
  target: targetSchema,
  ...sourceFields,
});
const complianceAssignmentSchema = z.strictObject({
  '@odata.type': graphTypeSchema(['deviceCompliancePolicyAssignment']).optional(),
  target: targetSchema,
  ...sourceFields,
});
// androidManagedStoreAppAssignmentSettings is the settings type Graph has for managed Google Play apps.
const appAssignmentSettingsSchema = z.strictObject({
  '@odata.type': graphTypeSchema(['androidManagedStoreAppAssignmentSettings']),
  androidManagedStoreAppTrackIds: z.array(z.string().max(256)).max(50).nullable().optional(),
  autoUpdateMode: z.enum(['default', 'postponed', 'priority', 'unknownFutureValue']).optional(),
});
const appAssignmentSchema = z.strictObject({
  '@odata.type': graphTypeSchema(['mobileAppAssignment']).optional(),
  intent: z.enum(['available', 'required', 'uninstall', 'availableWithoutEnrollment']),
  target: targetSchema,
  settings: appAssignmentSettingsSchema.nullable().optional(),
  ...sourceFields,
});

const assignSchemas: Record<ResourceCollection['kind'], z.ZodType> = {
  deviceConfiguration: z.strictObject({ assignments: z.array(configurationAssignmentSchema).max(100) }),
  deviceCompliancePolicy: z.strictObject({ assignments: z.array(complianceAssignmentSchema).max(100) }),
  mobileApp: z.strictObject({ mobileAppAssignments: z.array(appAssignmentSchema).max(100) }),
};

type AssignmentInput = Partial<z.infer<typeof appAssignmentSchema>> & {
  target: z.infer<typeof targetSchema>;
} & {
  intent?: Assignment['intent'];
};

export function resourceView(collection: ResourceCollection, payload: Payload, isAssigned: boolean) {
  return {
    '@odata.type': payload.odataType,
    id: payload.id,
    displayName: payload.displayName,
    description: payload.description,
    createdDateTime: iso(payload.createdAt),
    lastModifiedDateTime: iso(payload.modifiedAt),
    ...(collection.kind === 'mobileApp'
      ? { isAssigned }
      : {
          version: payload.version,
          ...(collection.kind === 'deviceConfiguration' ? { supportsScopeTags: true } : {}),
        }),
    ...payload.settings,
  };
}

export function assignmentView(collection: ResourceCollection, assignment: Assignment) {
  const view: Record<string, unknown> = { '@odata.type': collection.assignmentType, id: assignment.id };
  if (collection.kind !== 'deviceCompliancePolicy') view.intent = assignment.intent;
  if (collection.kind === 'mobileApp') view.settings = assignment.settings;
  return { ...view, source: 'direct', sourceId: null, target: targetView(assignment) };
}

export function registerIntuneResourceRoutes(app: FastifyInstance, deps: RouteDeps): void {
  for (const kind of RESOURCE_KINDS) register(app, deps, COLLECTIONS[kind]);
}

function register(app: FastifyInstance, deps: RouteDeps, collection: ResourceCollection): void {
  const { store, clock } = deps;
  const { kind, path, noun } = collection;
  const load = (id: string): Payload => {
    const payload = ID_PATTERN.test(id) ? store.getPayload(id) : undefined;
    if (!payload || payload.kind !== kind) throw notFound(`no ${noun} with id ${id}`);
    return payload;
  };
  const view = (payload: Payload) =>
    resourceView(collection, payload, store.listAssignments(payload.id).length > 0);
  const subtypeOf = (payload: Payload) => payload.odataType.slice(GRAPH_NAMESPACE.length);

  const set = RESOURCE_SETS[kind];
  const assignmentViews = (payload: Payload) =>
    store.listAssignments(payload.id).map((a) => assignmentView(collection, a));

  app.get(path, async (request) =>
    answerCollection(request, set, { all: () => store.listPayloads(kind).map(view) }),
  );

  app.post(path, async (request, reply) => {
    const body = parseResourceBody(collection, request.body, { create: true });
    const now = clock.now();
    const payload: Payload = {
      id: randomUUID(),
      kind,
      odataType: GRAPH_NAMESPACE + body.subtype!,
      displayName: body.displayName!,
      description: body.description ?? null,
      createdAt: now,
      modifiedAt: now,
      version: 1,
      // Graph answers the Default scope tag ("0") for an object created without one.
      settings: { roleScopeTagIds: ['0'], ...body.settings },
    };
    store.createPayload(payload);
    deps.log(`created ${noun} "${payload.displayName}" (${payload.odataType}, ${payload.id})`);
    return reply.code(201).send(entityResponse(request, set, view(payload)));
  });

  app.get<{ Params: { id: string } }>(`${path}/:id`, async (request) => {
    const payload = load(request.params.id);
    return answerEntity(request, set, () => view(payload));
  });

  app.patch<{ Params: { id: string } }>(`${path}/:id`, async (request) => {
    const payload = load(request.params.id);
    const body = parseResourceBody(collection, request.body, { create: false, subtype: subtypeOf(payload) });
    const updated: Payload = {
      ...payload,
      displayName: body.displayName ?? payload.displayName,
      description: body.description === undefined ? payload.description : body.description,
      modifiedAt: clock.now(),
      version: payload.version + 1,
      settings: { ...payload.settings, ...body.settings },
    };
    store.updatePayload(updated);
    return entityResponse(request, set, view(updated));
  });

  app.delete<{ Params: { id: string } }>(`${path}/:id`, async (request, reply) => {
    store.deletePayload(load(request.params.id).id);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>(`${path}/:id/assignments`, async (request) => {
    const payload = load(request.params.id);
    return answerCollection(request, assignmentSet(collection, payload.id), assignmentViews(payload));
  });

  app.get<{ Params: { id: string; assignmentId: string } }>(
    `${path}/:id/assignments/:assignmentId`,
    async (request) => {
      const payload = load(request.params.id);
      const assignment = store.listAssignments(payload.id).find((a) => a.id === request.params.assignmentId);
      if (!assignment)
        throw notFound(`no assignment ${request.params.assignmentId} of ${noun} ${payload.id}`);
      return answerEntity(request, assignmentSet(collection, payload.id), () =>
        assignmentView(collection, assignment),
      );
    },
  );

  app.post<{ Params: { id: string } }>(`${path}/:id/assign`, async (request, reply) => {
    const payload = load(request.params.id);
    // An action takes no query options: any is refused as Graph refuses it on a single entity.
    readQueryOptions(set, request.query, 'entity');
    const key = collection.assignBodyKey;
    const body = parseWith(assignSchemas[kind]!, request.body) as Record<string, AssignmentInput[]>;
    const inputs = body[key]!;
    const targets = inputs.map((input, index) =>
      checkTarget(input.target, `${key}.${index}.target`, store, collection.platform),
    );
    refuseRepeatedTargets(targets, key);
    const assignments = inputs.map((input, index): Assignment => ({
      id: randomUUID(),
      payloadId: payload.id,
      ...targets[index]!,
      intent: kind === 'deviceCompliancePolicy' ? null : (input.intent ?? 'apply'),
      settings:
        'settings' in input && input.settings
          ? { ...input.settings, '@odata.type': GRAPH_NAMESPACE + input.settings['@odata.type'] }
          : null,
    }));
    store.setAssignments(payload.id, assignments);
    if (!collection.assignAnswersList) return reply.code(204).send();
    // An action's answer is a collection of its return type, named so in @odata.context.
    return {
      '@odata.context': operationContext(request, `Collection(${collection.assignmentType.slice(1)})`),
      value: assignments.map((a) => assignmentView(collection, a)),
    };
  });
}
