import type { EntitySet } from './entitySet';
import { invalidQuery, noSuchProperty } from './errors';

/** $orderby: "enrolledDateTime desc,deviceName" (asc unless told). */
export type OrderBy = { property: string; descending: boolean }[];

export function parseOrderBy(text: string, set: EntitySet): OrderBy {
  const known = new Map(set.properties.map((name) => [name.toLowerCase(), name]));
  const sortable = new Set(set.sortable ?? []);
  return text.split(',').map((clause) => {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$/i.exec(clause);
    if (!match)
      throw invalidQuery(`Syntax error in $orderby '${text}': expected a property name and asc or desc.`);
    const property = known.get(match[1]!.toLowerCase());
    if (!property) throw noSuchProperty(set, match[1]!);
    if (!sortable.has(property))
      throw invalidQuery(
        `The query specified in the URI is not valid. The property '${property}' cannot be used in the $orderby query option.`,
      );
    return { property, descending: match[2]?.toLowerCase() === 'desc' };
  });
}

/** Nulls first ascending, as OData orders them; strings without regard to case. */
export function compareBy(orderBy: OrderBy) {
  return (a: Record<string, unknown>, b: Record<string, unknown>): number => {
    for (const { property, descending } of orderBy) {
      const x = a[property];
      const y = b[property];
      let result: number;
      if (x === y) result = 0;
      else if (x === null || x === undefined) result = -1;
      else if (y === null || y === undefined) result = 1;
      else if (typeof x === 'string' && typeof y === 'string')
        result = x.localeCompare(y, 'en', { sensitivity: 'base' });
      else result = (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
      if (result !== 0) return descending ? -result : result;
    }
    return 0;
  };
}
