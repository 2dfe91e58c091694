/**
 * One Graph entity set, described once: the OData query options, @odata.context and request-body
 * handling of its routes all come from this (odata/query.ts, odata/respond.ts, odata/body.ts). A new
 * resource plugs in by writing its own description.
 */
export type FilterKind = 'string' | 'enum' | 'dateTime' | 'number' | 'boolean';

export interface EntitySet {
  /** The set's path under /beta/, as @odata.context names it: 'deviceManagement/managedDevices'. */
  path: string;
  /** Its Graph type without '#': 'microsoft.graph.managedDevice'. */
  type: string;
  /** Every property a view has (and so what $select may name), simulator… fields included. */
  properties: readonly string[];
  /** $filter: the properties it takes and how their values compare. Absent: $filter is refused. */
  filterable?: Readonly<Record<string, FilterKind>>;
  /** $orderby: the properties it takes. Absent: $orderby is refused. */
  sortable?: readonly string[];
  /** $top's largest value, and the page size when none is asked for. */
  maxPageSize?: number;
  /** Whether $skip pages (profiles: Graph documents $top and $skip); managedDevices page with $skiptoken. */
  skip?: boolean;
  /** Whether $count=true answers @odata.count. */
  count?: boolean;
  /**
   * Properties the service sets. Sent back in a body (as a GET-then-PATCH round trip does) they are
   * ignored, as Graph ignores them; every other property a body may carry is in its zod schema.
   */
  readOnly?: readonly string[];
}
