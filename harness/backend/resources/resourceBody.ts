import { z } from 'zod';
import { badRequest, parseWith } from '../http/graphError';
import { GRAPH_NAMESPACE, type ResourceCollection } from './catalogue';
import { GRAPH_PROPERTIES } from './graphProperties.generated';

/**
 * A create or update body for one of the Intune resources, taken as Graph takes it: `@odata.type` names
 * the subtype (required on create, since the base types are abstract; on update it may be repeated but
 * not changed), displayName and description are checked, and every other property must be one the type
 * has (Graph answers "The property 'x' does not exist on type 'microsoft.graph.y'"); those are kept as
 * sent, unchecked beyond that, because the simulator stores settings and does not enforce them.
 * Properties the service sets (id, dates, version, isAssigned, supportsScopeTags) are ignored, so a client
 * may send back what it read; relationships are refused, since Graph changes them through their own
 * routes (assign).
 */

const SERVER_SET = new Set([
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'version',
  'isAssigned',
  'supportsScopeTags',
  '@odata.context',
]);

const commonSchema = z.object({
  displayName: z.string().trim().min(1).max(1000),
  description: z.string().max(10000).nullable().optional(),
  roleScopeTagIds: z.array(z.string().min(1).max(64)).max(100).nullable().optional(),
});

export interface ParsedResourceBody {
  /** The subtype's name without the namespace, when the body names one. */
  subtype: string | undefined;
  displayName: string | undefined;
  description: string | null | undefined;
  /** Every other property, as sent (roleScopeTagIds included). */
  settings: Record<string, unknown>;
}

export function parseResourceBody(
  collection: ResourceCollection,
  body: unknown,
  mode: { create: true } | { create: false; subtype: string },
): ParsedResourceBody {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('Invalid request body: expected a JSON object');
  const input = body as Record<string, unknown>;
  const typeValue = input['@odata.type'];
  let subtype: string | undefined;
  if (typeValue !== undefined) {
    const name = typeof typeValue === 'string' ? typeValue.replace(/^#?microsoft\.graph\./, '') : '';
    if (typeof typeValue !== 'string' || !collection.subtypes.includes(name))
      throw badRequest(
        `Invalid request body: @odata.type: expected one of ${collection.subtypes.map((t) => GRAPH_NAMESPACE + t).join(', ')}`,
      );
    if (!mode.create && name !== mode.subtype)
      throw badRequest(
        `Invalid request body: @odata.type: this ${collection.noun} is a ${GRAPH_NAMESPACE}${mode.subtype}; its type cannot change`,
      );
    subtype = name;
  } else if (mode.create) {
    throw badRequest(
      `Invalid request body: @odata.type: required, one of ${collection.subtypes.map((t) => GRAPH_NAMESPACE + t).join(', ')}`,
    );
  }
  const typeName = subtype ?? (mode.create ? undefined : mode.subtype);
  const known = new Set(GRAPH_PROPERTIES[typeName!] ?? []);
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === '@odata.type' || SERVER_SET.has(key)) continue;
    if (collection.relationships.includes(key))
      throw badRequest(
        `Invalid request body: ${key}: a relationship of ${collection.noun}s; ${key === 'assignments' ? 'use POST …/assign' : 'it cannot be written here'}`,
      );
    if (!known.has(key))
      throw badRequest(
        `Invalid request body: The property '${key}' does not exist on type 'microsoft.graph.${typeName}'`,
      );
    if (key !== 'displayName' && key !== 'description') settings[key] = value;
  }
  const common = parseWith(mode.create ? commonSchema : commonSchema.partial(), {
    displayName: input.displayName,
    description: input.description,
    roleScopeTagIds: input.roleScopeTagIds,
  });
  return { subtype, displayName: common.displayName, description: common.description, settings };
}
