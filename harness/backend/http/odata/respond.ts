import type { FastifyRequest } from 'fastify';
import type { EntitySet } from './entitySet';
import { compareBy } from './orderBy';
import { readQueryOptions, type QueryOptions } from './query';

type View = Record<string, unknown>;

/** The service root clients reach this backend at: http(s)://host:port/beta. */
export function serviceRoot(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}/beta`;
}

/**
 * @odata.context as Graph forms it: `…/$metadata#deviceManagement/managedDevices` for a collection,
 * `…/$entity` appended for one entity, the selected properties in parentheses when $select was given.
 */
export function contextUrl(
  request: FastifyRequest,
  set: EntitySet,
  kind: 'collection' | 'entity',
  select: string[] | null = null,
  path = set.path,
): string {
  const selection = select ? `(${select.join(',')})` : '';
  return `${serviceRoot(request)}/$metadata#${path}${selection}${kind === 'entity' ? '/$entity' : ''}`;
}

/**
 * @odata.context of an action's or function's answer: its type (`microsoft.graph.assignmentFilterValidationResult`)
 * or a collection of one (`Collection(microsoft.graph.assignmentFilterSupportedProperty)`).
 */
export function operationContext(request: FastifyRequest, fragment: string): string {
  return `${serviceRoot(request)}/$metadata#${fragment}`;
}

/** $select: only the named properties, with id and @odata.type as Graph keeps them. */
export function project(view: View, select: string[] | null): View {
  if (select === null || select.includes('*')) return view;
  const keep = new Set(['@odata.type', 'id', ...select]);
  return Object.fromEntries(Object.entries(view).filter(([key]) => keep.has(key)));
}

/** One entity (GET, and the answers of POST and PATCH): its @odata.context first, then the view. */
export function entityResponse(
  request: FastifyRequest,
  set: EntitySet,
  view: View,
  options: Pick<QueryOptions, 'select'> = { select: null },
): View {
  return {
    '@odata.context': contextUrl(request, set, 'entity', options.select),
    ...project(view, options.select),
  };
}

/** GET of one entity: reads its query (only $select applies), answers the view through `render`. */
export function answerEntity(
  request: FastifyRequest,
  set: EntitySet,
  render: (options: QueryOptions) => View,
): View {
  const options = readQueryOptions(set, request.query, 'entity');
  return entityResponse(request, set, render(options), options);
}

export interface CollectionSource {
  /** Every item (before $filter). */
  all(): View[];
  /**
   * A page read straight from the store, for the commonest query (no $filter, $orderby or $count):
   * items [offset, offset + limit). Optional; without it `all()` is paged.
   */
  page?(offset: number, limit: number): View[];
}

/**
 * GET of a collection: $filter, $orderby, $count, $skip / $skiptoken, $top and $select applied in
 * OData's order, @odata.nextLink when more remain (with $skiptoken, or $skip where the set pages with
 * it), @odata.context and @odata.count. `render(view, options)` may finish a view for the selection
 * (profiles draw the QR image only when it is selected).
 */
export function answerCollection(
  request: FastifyRequest,
  set: EntitySet,
  source: CollectionSource | View[],
  options: QueryOptions = readQueryOptions(set, request.query, 'collection'),
  path = set.path,
): View {
  const from = Array.isArray(source) ? { all: () => source } : source;
  const pageSize = options.top ?? set.maxPageSize ?? 1000;
  const offset = options.skip + options.skipToken;
  let items: View[];
  let count: number | null = null;
  if (!options.filter && !options.orderBy && !options.count && from.page) {
    // One more than the page: whether a next page exists, without reading the rest.
    items = from.page(offset, pageSize + 1);
  } else {
    let all = from.all();
    if (options.filter) all = all.filter(options.filter);
    if (options.orderBy) all = [...all].sort(compareBy(options.orderBy));
    count = all.length;
    items = all.slice(offset, offset + pageSize + 1);
  }
  const body: View = { '@odata.context': contextUrl(request, set, 'collection', options.select, path) };
  if (options.count) body['@odata.count'] = count;
  // More remain: the next page continues from here, whatever $skip started it ("If more items remain
  // in the result set, the response body will contain an @odata.nextLink", Graph's $top docs).
  if (items.length > pageSize) {
    const next = new URLSearchParams();
    for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, string>)) {
      if (!/^\$?(skiptoken|skip)$/i.test(key)) next.set(key, value);
    }
    next.set('$skiptoken', String(offset + pageSize));
    body['@odata.nextLink'] = `${serviceRoot(request)}/${path}?${next.toString()}`;
  }
  body.value = items.slice(0, pageSize).map((item) => project(item, options.select));
  return body;
}
