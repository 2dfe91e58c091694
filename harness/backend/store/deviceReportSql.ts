import type Database from 'better-sqlite3';

/**
 * The SQL of the admin console's devices report (console/deviceReport.ts says what the report is).
 * Its rows are every managed device and every device that sent a state report, whether or not the
 * backend has a record of it yet; they are filtered, sorted, counted and paged by SQLite, so the
 * backend holds one page in memory however many devices there are.
 */

/** The stage shown, sorted by and filtered on for a device with none recorded. */
export const NOT_RECORDED = 'notRecorded';

/** What the report sorts by; ties are broken by serial number, in the same direction. */
export const DEVICE_REPORT_SORTS = ['name', 'stage', 'profile', 'user', 'mode', 'lastTransition'] as const;
export type DeviceReportSort = (typeof DEVICE_REPORT_SORTS)[number];
export type DeviceReportOrder = 'asc' | 'desc';

/**
 * The SQL function the search calls: true when any of the texts contains the needle, without regard to
 * case. JavaScript's toLowerCase, not SQLite's lower(), which folds ASCII letters only: a search for
 * "é" finds "É".
 */
export const SEARCH_FUNCTION = 'stagesimReportSearch';

export function registerSearchFunction(db: Database.Database): void {
  db.function(
    SEARCH_FUNCTION,
    { deterministic: true, varargs: true },
    (needle: unknown, ...texts: unknown[]) =>
      texts.some((text) => typeof text === 'string' && text.toLowerCase().includes(needle as string)) ? 1 : 0,
  );
}

// A report whose state the current model does not have (one stored by an older model) is kept in the
// store and not shown: its device shows as if it had not reported (@hiddenStates, a JSON array). Most
// backends have none, and their statements leave the test out (it made a query slower in a trial, not recorded).
const shownReport = (hiding: boolean) =>
  hiding ? ' AND r.state NOT IN (SELECT value FROM json_each(@hiddenStates))' : '';

// One row per device: its record (if any) beside its report (if any). A device the backend registered
// but that neither completed stage 2 nor reported its screen is not in the report. name, user and
// lastTransitionAt are what the row shows as well as what it sorts by: the report name (the serial
// number before there is one), the enrolled user or the one who signed in, and the time of the last
// recorded transition (of the last report, for a device with none recorded; null with neither).
const rows = (hiding: boolean) => `WITH rows AS (
  SELECT d.serialNumber AS serial, d.id AS deviceId, r.state AS liveState, r.reportedAt AS reportedAt,
    COALESCE(d.managedName, d.serialNumber) AS name, COALESCE(d.upn, d.signedInUpn) AS user,
    CASE WHEN d.stage IS NOT NULL THEN d.lastChangeAt ELSE r.reportedAt END AS lastTransitionAt,
    d.stage AS stage, d.profileName AS profileName, d.enrollmentMode AS mode
  FROM devices d LEFT JOIN stateReports r ON r.serialNumber = d.serialNumber${shownReport(hiding)}
  WHERE d.managed = 1 OR r.serialNumber IS NOT NULL
  UNION ALL
  SELECT r.serialNumber, NULL, r.state, r.reportedAt, r.serialNumber, NULL, r.reportedAt, NULL, NULL, NULL
  FROM stateReports r
  WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.serialNumber = r.serialNumber)${shownReport(hiding)}
)`;

// Each filter is off when its parameter is null (the search: when it is empty).
const FILTERS = `WHERE (@stage IS NULL OR COALESCE(stage, '${NOT_RECORDED}') = @stage)
  AND (@profile IS NULL OR profileName = @profile)
  AND (@state IS NULL OR liveState = @state)
  AND (@search = '' OR ${SEARCH_FUNCTION}(@search, name, serial, user, profileName))`;

const SORT_KEYS: Record<DeviceReportSort, string> = {
  name: 'name',
  stage: `COALESCE(stage, '${NOT_RECORDED}')`,
  profile: "COALESCE(profileName, '')",
  user: "COALESCE(user, '')",
  mode: "COALESCE(mode, '')",
  lastTransition: 'COALESCE(lastTransitionAt, 0)',
};

/**
 * One page, each row with the number of rows the filters let through (counted in the same pass).
 * `hiding`: some stored reports are of states to leave out (@hiddenStates).
 */
export function reportPageSql(sort: DeviceReportSort, order: DeviceReportOrder, hiding: boolean): string {
  const direction = order === 'asc' ? 'ASC' : 'DESC';
  return `${rows(hiding)} SELECT serial, deviceId, liveState, reportedAt, name, user, lastTransitionAt,
    COUNT(*) OVER () AS total FROM rows ${FILTERS}
    ORDER BY ${SORT_KEYS[sort]} ${direction}, serial ${direction} LIMIT @limit OFFSET @offset`;
}

/** The number of rows the filters let through, for a page past the last row (which has none to say it). */
export const reportCountSql = (hiding: boolean) => `${rows(hiding)} SELECT COUNT(*) FROM rows ${FILTERS}`;

/** The profile names of the devices in the report, for its profile filter. */
export const reportProfileNamesSql = (hiding: boolean) => `SELECT DISTINCT d.profileName FROM devices d
  WHERE d.profileName IS NOT NULL AND (d.managed = 1
    OR EXISTS (SELECT 1 FROM stateReports r WHERE r.serialNumber = d.serialNumber${shownReport(hiding)}))
  ORDER BY d.profileName`;

// The store's names for these statements: one per sort, order and hidden-state variant, prepared by
// the store on first use with its other statements.
export const reportPageName = (sort: DeviceReportSort, order: DeviceReportOrder, hiding: boolean) =>
  `reportPage ${sort} ${order}${hiding ? ' hiding' : ''}`;
export const reportCountName = (hiding: boolean) => `reportCount${hiding ? ' hiding' : ''}`;
export const reportProfileNamesName = (hiding: boolean) => `reportProfileNames${hiding ? ' hiding' : ''}`;

/** Every statement of the report, by the store's name for it. */
export function deviceReportSqlByName(): Record<string, string> {
  const byName: Record<string, string> = {};
  for (const hiding of [false, true]) {
    byName[reportCountName(hiding)] = reportCountSql(hiding);
    byName[reportProfileNamesName(hiding)] = reportProfileNamesSql(hiding);
    for (const sort of DEVICE_REPORT_SORTS)
      for (const order of ['asc', 'desc'] as const)
        byName[reportPageName(sort, order, hiding)] = reportPageSql(sort, order, hiding);
  }
  return byName;
}
