import { GraphError } from '../graphError';
import type { EntitySet } from './entitySet';

/** A query Graph would refuse: 400 BadRequest with the message Graph's OData libraries give. */
export const invalidQuery = (message: string) => new GraphError(400, 'BadRequest', message);

export const noSuchProperty = (set: EntitySet, name: string) =>
  invalidQuery(`Could not find a property named '${name}' on type '${set.type}'.`);
