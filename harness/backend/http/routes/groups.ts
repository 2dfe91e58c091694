import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { upnSchema } from '../../../../agent/protocol/enrollment';
import { compileGroupRule } from '../../targeting/compile';
import { isMember } from '../../targeting/entra/evaluateMembership';
import { targetDeviceOf } from '../../targeting/targetDevice';
import type { Group } from '../../store/repository';
import { badRequest, conflict, notFound, parseWith } from '../graphError';
import { readBody } from '../odata/body';
import type { EntitySet } from '../odata/entitySet';
import { answerCollection, answerEntity, entityResponse } from '../odata/respond';
import { ID_PATTERN, iso, type RouteDeps } from '../routeDeps';
import { checkMembershipRule } from '../ruleCheck';

/**
 * Entra groups, as Graph has them at /beta/groups, reduced to the two kinds targeting needs:
 * - dynamic device groups: groupTypes ["DynamicMembership"] with a membershipRule in Entra's own rule
 *   language (targeting/entra/), not Intune's filter language;
 * - user groups (assigned membership): members are users, addressed by UPN
 *   (https://graph.microsoft.com/v1.0/users/john@contoso.com), added with members@odata.bind on create or
 *   POST /beta/groups/{id}/members/$ref, removed with DELETE /beta/groups/{id}/members/{upn}/$ref.
 */
export const GROUPS_PATH = '/beta/groups';

const userReference = z.string().transform((url, ctx) => {
  const match = /\/(?:users|directoryObjects)\/([^/?#]+)$/.exec(url);
  const upn = match ? decodeURIComponent(match[1]!) : '';
  if (!upnSchema.safeParse(upn).success) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a user reference such as https://graph.microsoft.com/v1.0/users/john@contoso.com, got "${url.slice(0, 200)}"`,
    });
    return z.NEVER;
  }
  return upn;
});

const createSchema = z
  .strictObject({
    '@odata.type': z.literal('#microsoft.graph.group').optional(),
    displayName: z.string().trim().min(1).max(256),
    description: z.string().max(1024).nullable().optional(),
    mailEnabled: z.literal(false).optional(),
    mailNickname: z.string().max(64).optional(),
    securityEnabled: z.literal(true).optional(),
    groupTypes: z
      .array(z.enum(['DynamicMembership']))
      .max(1)
      .default([]),
    membershipRule: z.string().min(1).nullable().optional(),
    membershipRuleProcessingState: z.enum(['On', 'Paused']).optional(),
    'members@odata.bind': z.array(userReference).max(1000).optional(),
  })
  .superRefine((body, ctx) => {
    const dynamic = body.groupTypes.includes('DynamicMembership');
    if (dynamic && !body.membershipRule)
      ctx.addIssue({
        code: 'custom',
        path: ['membershipRule'],
        message: 'a DynamicMembership group needs a membershipRule',
      });
    if (!dynamic && body.membershipRule)
      ctx.addIssue({
        code: 'custom',
        path: ['groupTypes'],
        message: 'a membershipRule needs groupTypes ["DynamicMembership"]',
      });
    if (dynamic && body['members@odata.bind'])
      ctx.addIssue({
        code: 'custom',
        path: ['members@odata.bind'],
        message: 'members of a dynamic group come from its membershipRule',
      });
  });

// A group's kind and mail settings are fixed here: sent back unchanged by a GET-then-PATCH they are
// ignored (GROUPS.readOnly), a different kind is refused.
const patchSchema = z.strictObject({
  '@odata.type': z.literal('#microsoft.graph.group').optional(),
  displayName: z.string().trim().min(1).max(256).optional(),
  description: z.string().max(1024).nullable().optional(),
  // null is what GET shows for a group without a rule; sent back by a round trip it changes nothing.
  membershipRule: z.string().min(1).nullable().optional(),
});

const addMemberSchema = z.strictObject({ '@odata.id': userReference });

export const GROUPS: EntitySet = {
  path: 'groups',
  type: 'microsoft.graph.group',
  properties: [
    'id',
    'displayName',
    'description',
    'groupTypes',
    'membershipRule',
    'membershipRuleProcessingState',
    'securityEnabled',
    'mailEnabled',
    'createdDateTime',
  ],
  readOnly: ['id', 'createdDateTime'],
};
const GROUP_FIXED = ['groupTypes', 'membershipRuleProcessingState', 'securityEnabled', 'mailEnabled'];

function groupView(group: Group) {
  return {
    '@odata.type': '#microsoft.graph.group',
    id: group.id,
    displayName: group.displayName,
    description: group.description,
    groupTypes: group.dynamic ? ['DynamicMembership'] : [],
    membershipRule: group.membershipRule,
    membershipRuleProcessingState: group.dynamic ? 'On' : null,
    securityEnabled: true,
    mailEnabled: false,
    createdDateTime: iso(group.createdAt),
  };
}

/** A group's members are directoryObjects (users or devices); Graph's context says so. */
const GROUP_MEMBERS: EntitySet = {
  path: 'directoryObjects',
  type: 'microsoft.graph.directoryObject',
  properties: ['id', 'userPrincipalName', 'displayName'],
};

export function registerGroupRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { store, clock } = deps;
  const load = (id: string): Group => {
    const group = ID_PATTERN.test(id) ? store.getGroup(id) : undefined;
    if (!group) throw notFound(`no group with id ${id}`);
    return group;
  };

  app.get(GROUPS_PATH, async (request) =>
    answerCollection(request, GROUPS, store.listGroups().map(groupView)),
  );

  app.post(GROUPS_PATH, async (request, reply) => {
    const body = readBody(GROUPS, createSchema, request.body);
    const dynamic = body.groupTypes.includes('DynamicMembership');
    if (dynamic) checkMembershipRule('membershipRule', body.membershipRule!);
    const now = clock.now();
    const group: Group = {
      id: randomUUID(),
      displayName: body.displayName,
      description: body.description ?? null,
      dynamic,
      membershipRule: dynamic ? body.membershipRule! : null,
      createdAt: now,
      modifiedAt: now,
    };
    store.createGroup(group, [...new Set(body['members@odata.bind'] ?? [])]);
    return reply.code(201).send(entityResponse(request, GROUPS, groupView(group)));
  });

  app.get<{ Params: { id: string } }>(`${GROUPS_PATH}/:id`, async (request) => {
    const group = load(request.params.id);
    return answerEntity(request, GROUPS, () => groupView(group));
  });

  app.patch<{ Params: { id: string } }>(`${GROUPS_PATH}/:id`, async (request, reply) => {
    const group = load(request.params.id);
    const view = groupView(group) as Record<string, unknown>;
    for (const name of GROUP_FIXED) {
      const sent = (request.body as Record<string, unknown> | undefined)?.[name];
      if (sent !== undefined && JSON.stringify(sent) !== JSON.stringify(view[name]))
        throw badRequest(`${name} cannot be changed here (the group's is ${JSON.stringify(view[name])})`);
    }
    const body = readBody(
      { ...GROUPS, readOnly: [...GROUPS.readOnly!, ...GROUP_FIXED] },
      patchSchema,
      request.body,
    );
    if (body.membershipRule === null && group.dynamic)
      throw badRequest('a DynamicMembership group needs a membershipRule');
    if (body.membershipRule !== undefined && body.membershipRule !== null) {
      if (!group.dynamic) throw badRequest('membershipRule applies only to DynamicMembership groups');
      checkMembershipRule('membershipRule', body.membershipRule);
    }
    store.updateGroup({
      ...group,
      displayName: body.displayName ?? group.displayName,
      description: body.description === undefined ? group.description : body.description,
      membershipRule: body.membershipRule ?? group.membershipRule,
      modifiedAt: clock.now(),
    });
    return reply.code(204).send();
  });

  app.delete<{ Params: { id: string } }>(`${GROUPS_PATH}/:id`, async (request, reply) => {
    const group = load(request.params.id);
    if (store.isReferenced({ groupId: group.id }))
      throw conflict(`group "${group.displayName}" is used by an assignment; remove the assignment first`);
    store.deleteGroup(group.id);
    return reply.code(204).send();
  });

  // A user group lists its users; a dynamic device group lists the managed devices its rule matches now.
  app.get<{ Params: { id: string } }>(`${GROUPS_PATH}/:id/members`, async (request) => {
    const group = load(request.params.id);
    if (!group.dynamic) {
      return answerCollection(
        request,
        GROUP_MEMBERS,
        store
          .listMembers(group.id)
          .map((upn) => ({ '@odata.type': '#microsoft.graph.user', id: upn, userPrincipalName: upn })),
      );
    }
    const rule = compileGroupRule(group.membershipRule);
    const members = rule
      ? store.listManagedDevices().filter((device) => isMember(rule, targetDeviceOf(device)))
      : [];
    return answerCollection(
      request,
      GROUP_MEMBERS,
      members.map((device) => ({
        '@odata.type': '#microsoft.graph.device',
        id: device.id,
        displayName: device.deviceName ?? '',
      })),
    );
  });

  app.post<{ Params: { id: string } }>(`${GROUPS_PATH}/:id/members/$ref`, async (request, reply) => {
    const group = load(request.params.id);
    const body = parseWith(addMemberSchema, request.body);
    if (group.dynamic)
      throw badRequest('members of a dynamic group come from its membershipRule and cannot be added');
    if (!store.addMember(group.id, body['@odata.id']))
      throw badRequest(`${body['@odata.id']} is already a member of "${group.displayName}"`);
    return reply.code(204).send();
  });

  app.delete<{ Params: { id: string; upn: string } }>(
    `${GROUPS_PATH}/:id/members/:upn/$ref`,
    async (request, reply) => {
      const group = load(request.params.id);
      if (!store.removeMember(group.id, request.params.upn))
        throw notFound(`${request.params.upn} is not a member of "${group.displayName}"`);
      return reply.code(204).send();
    },
  );
}
