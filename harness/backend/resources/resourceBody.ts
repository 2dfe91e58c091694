import { z } from 'zod';
import { badRequest } from '../http/graphError';
import { readBody } from '../http/odata/body';
import type { EntitySet } from '../http/odata/entitySet';
import {
  baseTypeName,
  COLLECTIONS,
  GRAPH_NAMESPACE,
  type ResourceCollection,
  type ResourceKind,
} from './catalogue';
import { GRAPH_PROPERTIES } from './graphProperties.generated';

/**
 * The Intune resources' entity sets and their request bodies, through the OData layer every Graph route
 * uses (http/odata/): @odata.context, $select and $top from the set's description, and bodies read by
 * readBody, so a read-only property sent back is ignored and an unknown one gets Graph's message, as for
 * every other entity set.
 */

/** Properties the service sets: sent back (a GET-then-PATCH round trip) they are ignored, as Graph ignores them. */
const READ_ONLY = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'version',
  'isAssigned',
  'supportsScopeTags',
];

/**
 * One set per collection. $select may name the base type's properties (a derived type's property needs
 * a type cast in OData, which this service does not take); the simulator's answers do not vary with the
 * options Graph's Intune sets document only loosely ("supports some of the OData query parameters"), so
 * $filter, $orderby, $skip and $count are refused rather than ignored, and $top pages with $skiptoken.
 */
export const RESOURCE_SETS = Object.fromEntries(
  Object.values(COLLECTIONS).map((collection): [ResourceKind, EntitySet] => [
    collection.kind,
    {
      path: collection.path.replace(/^\/beta\//, ''),
      type: `microsoft.graph.${baseTypeName(collection)}`,
      properties: GRAPH_PROPERTIES[baseTypeName(collection)]!.filter(
        (name) => !collection.relationships.includes(name),
      ),
      maxPageSize: 1000,
      readOnly: READ_ONLY,
    },
  ]),
) as Record<ResourceKind, EntitySet>;

/** The set of one collection's assignments: `deviceManagement/deviceConfigurations('id')/assignments`. */
export function assignmentSet(collection: ResourceCollection, resourceId: string): EntitySet {
  return {
    path: `${RESOURCE_SETS[collection.kind].path}('${resourceId}')/assignments`,
    type: collection.assignmentType.slice(1),
    properties: [
      'id',
      ...(collection.kind === 'deviceCompliancePolicy' ? [] : ['intent']),
      ...(collection.kind === 'mobileApp' ? ['settings'] : []),
      'source',
      'sourceId',
      'target',
    ],
    maxPageSize: 1000,
  };
}

const commonFields = {
  '@odata.type': z.string().optional(),
  displayName: z.string().trim().min(1).max(1000),
  description: z.string().max(10000).nullable().optional(),
  roleScopeTagIds: z.array(z.string().min(1).max(64)).max(100).nullable().optional(),
};

const schemas = new Map<string, z.ZodObject>();
/**
 * Every writable property of the subtype (from the generated list of the Graph beta types), settings
 * kept as sent and unchecked beyond that: the simulator stores them and does not enforce them.
 */
function bodySchema(collection: ResourceCollection, subtype: string, create: boolean): z.ZodObject {
  const key = `${subtype}:${create}`;
  let schema = schemas.get(key);
  if (!schema) {
    const shape: Record<string, z.ZodType> = {};
    for (const name of GRAPH_PROPERTIES[subtype] ?? [])
      if (!READ_ONLY.includes(name) && !collection.relationships.includes(name))
        shape[name] = z.unknown().optional();
    const common = create ? z.object(commonFields) : z.object(commonFields).partial();
    schema = z.object({ ...shape, ...common.shape });
    schemas.set(key, schema);
  }
  return schema;
}

export interface ParsedResourceBody {
  /** The subtype's name without the namespace, when the body names one. */
  subtype: string | undefined;
  displayName: string | undefined;
  description: string | null | undefined;
  /** Every other property, as sent (roleScopeTagIds included). */
  settings: Record<string, unknown>;
}

/**
 * A create or update body: `@odata.type` names the subtype (required on create, since the base types are
 * abstract; on update it may be repeated but not changed); relationships are refused, since Graph changes
 * them through their own routes (assign); the rest is readBody's.
 */
export function parseResourceBody(
  collection: ResourceCollection,
  body: unknown,
  mode: { create: true } | { create: false; subtype: string },
): ParsedResourceBody {
  const input = (body ?? {}) as Record<string, unknown>;
  const isObject = typeof input === 'object' && !Array.isArray(input);
  const typeValue = isObject ? input['@odata.type'] : undefined;
  const oneOf = collection.subtypes.map((t) => GRAPH_NAMESPACE + t).join(', ');
  let subtype: string | undefined;
  if (typeValue !== undefined) {
    const name = typeof typeValue === 'string' ? typeValue.replace(/^#?microsoft\.graph\./, '') : '';
    if (typeof typeValue !== 'string' || !collection.subtypes.includes(name))
      throw badRequest(`Invalid request body: @odata.type: expected one of ${oneOf}`);
    if (!mode.create && name !== mode.subtype)
      throw badRequest(
        `Invalid request body: @odata.type: this ${collection.noun} is a ${GRAPH_NAMESPACE}${mode.subtype}; its type cannot change`,
      );
    subtype = name;
  } else if (mode.create && isObject) {
    throw badRequest(`Invalid request body: @odata.type: required, one of ${oneOf}`);
  }
  const typeName = subtype ?? (mode.create ? collection.subtypes[0]! : mode.subtype);
  if (isObject)
    for (const key of Object.keys(input))
      if (collection.relationships.includes(key))
        throw badRequest(
          `Invalid request body: ${key}: a relationship of ${collection.noun}s; ${key === 'assignments' ? 'use POST …/assign' : 'it cannot be written here'}`,
        );
  const set: EntitySet = { ...RESOURCE_SETS[collection.kind], type: `microsoft.graph.${typeName}` };
  const parsed = readBody(set, bodySchema(collection, typeName, mode.create), body) as Record<
    string,
    unknown
  >;
  const { '@odata.type': _type, displayName, description, ...settings } = parsed;
  for (const key of Object.keys(settings)) if (settings[key] === undefined) delete settings[key];
  return {
    subtype,
    displayName: displayName as string | undefined,
    description: description as string | null | undefined,
    settings,
  };
}
