import type { EntitySet } from './entitySet';
import { invalidQuery } from './errors';
import { parseODataFilter, type ODataPredicate } from './filter';
import { parseOrderBy, type OrderBy } from './orderBy';

/**
 * The OData system query options of one request, checked against what the entity set allows. The
 * messages are Graph's own (its OData libraries'): e.g. "Query option 'OrderBy' is not allowed. …" and
 * "Could not find a property named 'x' on type 'microsoft.graph.managedDevice'."
 */
export interface QueryOptions {
  select: string[] | null;
  filter: ODataPredicate | null;
  filterText: string | null;
  orderBy: OrderBy | null;
  top: number | null;
  skip: number;
  skipToken: number;
  count: boolean;
}

/** No query options: the answer of an action such as assign, which takes none. */
export const NO_QUERY: QueryOptions = {
  select: null,
  filter: null,
  filterText: null,
  orderBy: null,
  top: null,
  skip: 0,
  skipToken: 0,
  count: false,
};

const SYSTEM_OPTIONS = {
  select: 'Select',
  filter: 'Filter',
  orderby: 'OrderBy',
  top: 'Top',
  skip: 'Skip',
  count: 'Count',
  expand: 'Expand',
  search: 'Search',
  format: 'Format',
  skiptoken: 'SkipToken',
  deltatoken: 'DeltaToken',
  apply: 'Apply',
  compute: 'Compute',
  levels: 'Levels',
  index: 'Index',
} as const;
type OptionName = keyof typeof SYSTEM_OPTIONS;

const notAllowed = (name: OptionName) =>
  invalidQuery(
    `The query specified in the URI is not valid. Query option '${SYSTEM_OPTIONS[name]}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.`,
  );

/**
 * Reads the query string's system options: `$name` in any case, and on beta also without the `$`
 * (Graph: "On the beta endpoint, the $ prefix is optional"). Other parameters are custom query options,
 * which OData lets a service ignore. `kind` says what the route answers: options that only make sense on
 * a collection ($filter, $orderby, $top, $skip, $count) are refused on a single entity.
 */
export function readQueryOptions(
  set: EntitySet,
  query: unknown,
  kind: 'collection' | 'entity',
): QueryOptions {
  const raw = new Map<OptionName, string>();
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, string | string[]>)) {
    const bare = key.replace(/^\$/, '').toLowerCase();
    if (!(bare in SYSTEM_OPTIONS)) {
      if (key.startsWith('$')) throw invalidQuery(`The query parameter '${key}' is not supported.`);
      continue;
    }
    const name = bare as OptionName;
    if (Array.isArray(value) || raw.has(name))
      throw invalidQuery(
        `Query option '$${name}' was specified more than once, it must be specified at most once.`,
      );
    raw.set(name, value);
  }

  const options: QueryOptions = { ...NO_QUERY };
  for (const [name, value] of raw) {
    switch (name) {
      case 'select':
        options.select = readSelect(set, value);
        break;
      case 'filter':
        if (kind !== 'collection' || !set.filterable) throw notAllowed(name);
        options.filter = parseODataFilter(value, set);
        options.filterText = value;
        break;
      case 'orderby':
        if (kind !== 'collection' || !set.sortable) throw notAllowed(name);
        options.orderBy = parseOrderBy(value, set);
        break;
      case 'top': {
        if (kind !== 'collection') throw notAllowed(name);
        const top = wholeNumber(value, '$top');
        const max = set.maxPageSize ?? 1000;
        if (top < 1 || top > max)
          throw invalidQuery(`Invalid value '${value}' for $top query option: expected 1 to ${max}.`);
        options.top = top;
        break;
      }
      case 'skip':
        if (kind !== 'collection' || !set.skip) throw notAllowed(name);
        options.skip = wholeNumber(value, '$skip');
        break;
      case 'skiptoken':
        if (kind !== 'collection') throw notAllowed(name);
        // The only skip tokens this service hands out are offsets in its own nextLinks.
        if (!/^\d{1,9}$/.test(value))
          throw invalidQuery(`The $skiptoken '${value}' was not issued by this service.`);
        options.skipToken = Number(value);
        break;
      case 'count':
        if (kind !== 'collection' || !set.count) throw notAllowed(name);
        if (!/^(true|false)$/i.test(value)) throw invalidQuery(`'${value}' is not a valid count option.`);
        options.count = value.toLowerCase() === 'true';
        break;
      case 'format':
        if (value.toLowerCase() !== 'json' && value.toLowerCase() !== 'application/json')
          throw invalidQuery(`The format '${value}' is not supported; this service answers JSON only.`);
        break;
      default:
        throw notAllowed(name);
    }
  }
  return options;
}

function wholeNumber(value: string, option: string): number {
  if (!/^\d{1,9}$/.test(value))
    throw invalidQuery(
      `Invalid value '${value}' for ${option} query option found. The ${option} query option requires a non-negative integer value.`,
    );
  return Number(value);
}

function readSelect(set: EntitySet, value: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  const known = new Map(set.properties.map((name) => [name.toLowerCase(), name]));
  return names.map((name) => {
    if (name === '*') return name;
    const property = known.get(name.toLowerCase());
    if (!property)
      throw invalidQuery(
        `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type '${set.type}'.`,
      );
    return property;
  });
}
