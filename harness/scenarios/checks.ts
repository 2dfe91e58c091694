import type { DeviceView } from '../../agent/device/SimulatedDevice';
import type { BackendView } from '../reporters/report';
import type { AdminClient } from '../world/AdminClient';
import type { DeviceBackendRecord } from '../world/DeviceRecordReader';
import type { Expectation, FieldValue } from './expectations';

/**
 * The checks of an `expect` step. Each answers the problems it found as sentences that say what was
 * seen and what was expected; an empty list is a pass.
 */

/** The stage the backend recorded last: the report row's, or the ledger's for a device not in the report yet. */
export function backendStage(record: DeviceBackendRecord): string {
  return record.device?.simulatorEnrollmentStage ?? record.ledger.at(-1)?.toStage ?? 'none';
}

export function backendViewOf(record: DeviceBackendRecord): BackendView {
  const stage = backendStage(record);
  return {
    stage: stage === 'none' ? null : stage,
    deviceName: record.device?.deviceName || null,
    userPrincipalName: record.device?.userPrincipalName || null,
    tokenId: record.ledger.at(-1)?.tokenId ?? null,
    policies: record.device?.simulatorDeliveredPolicies ?? [],
    apps: record.device?.simulatorDeliveredApps ?? [],
  };
}

type Delivered = NonNullable<Expectation['policies']>;

function listed(names: readonly string[]): string {
  return names.length === 0 ? 'nothing' : names.map((name) => `"${name}"`).join(', ');
}

function deliveryProblems(
  what: 'policies' | 'apps',
  where: string,
  actual: readonly string[],
  expected: Delivered,
): string[] {
  if (Array.isArray(expected)) {
    const same = actual.length === expected.length && expected.every((name) => actual.includes(name));
    return same ? [] : [`${where} ${what} are ${listed(actual)}, expected exactly ${listed(expected)}`];
  }
  const problems: string[] = [];
  const missing = (expected.includes ?? []).filter((name) => !actual.includes(name));
  const unwanted = (expected.excludes ?? []).filter((name) => actual.includes(name));
  if (missing.length > 0) problems.push(`${where} ${what} are ${listed(actual)}, missing ${listed(missing)}`);
  if (unwanted.length > 0)
    problems.push(`${where} ${what} include ${listed(unwanted)}, expected them not to`);
  return problems;
}

const sameUser = (a: string | null | undefined, b: string) =>
  typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

/** The per-device checks of one expectation. */
export function deviceProblems(
  expectation: Expectation,
  view: DeviceView,
  record: DeviceBackendRecord,
): string[] {
  const problems: string[] = [];
  const { screen, title, stage, userless, user, deviceName, policies, apps, errorReason, ledger } =
    expectation;
  const shown = `"${view.screen.id}" (${view.screen.title})${view.errorMessage ? ` saying "${view.errorMessage}"` : ''}`;
  if (screen !== undefined && view.screen.id !== screen)
    problems.push(`screen is ${shown}, expected "${screen}"`);
  if (title !== undefined && view.screen.title !== title)
    problems.push(`screen title is "${view.screen.title}", expected "${title}"`);
  if (errorReason !== undefined) {
    const actual = view.errorReason ?? 'none';
    if (actual !== errorReason)
      problems.push(
        `error reason is ${actual}${view.errorReason ? '' : ` (screen ${shown})`}, expected ${errorReason}`,
      );
  }

  const recordedStage = backendStage(record);
  if (stage !== undefined && recordedStage !== stage)
    problems.push(`backend stage is ${recordedStage}, expected ${stage}`);

  const recordUser = record.device?.userPrincipalName || null;
  if (userless === true) {
    if (view.upn !== null) problems.push(`the device is signed in as ${view.upn}, expected it userless`);
    if (recordUser !== null)
      problems.push(`the backend record belongs to ${recordUser}, expected it userless`);
  }
  if (userless === false && view.upn === null)
    problems.push('no user is signed in on the device, expected one');
  if (user !== undefined) {
    if (!sameUser(view.upn, user))
      problems.push(`the device is signed in as ${view.upn ?? 'nobody'}, expected ${user}`);
    // The record takes the user when the enrollment is recorded; before that it must not name anybody else.
    if (
      recordedStage === 'enrolled'
        ? !sameUser(recordUser, user)
        : recordUser !== null && !sameUser(recordUser, user)
    ) {
      problems.push(`the backend record belongs to ${recordUser ?? 'nobody'}, expected ${user}`);
    }
  }

  if (deviceName !== undefined) {
    const name = record.device?.deviceName;
    if (!name)
      problems.push(
        `the backend has no device name for ${view.serialNumber} (it is not in the report), expected one matching /${deviceName}/`,
      );
    else if (!new RegExp(deviceName, 'u').test(name))
      problems.push(`device name is "${name}", expected it to match /${deviceName}/`);
  }

  for (const [what, expected] of [
    ['policies', policies],
    ['apps', apps],
  ] as const) {
    if (expected === undefined) continue;
    problems.push(
      ...deliveryProblems(
        what,
        'delivered',
        record.device?.[what === 'policies' ? 'simulatorDeliveredPolicies' : 'simulatorDeliveredApps'] ?? [],
        expected,
      ),
    );
    // What the device says it received must agree with what the backend delivered.
    problems.push(...deliveryProblems(what, 'received', view.deliveries?.[what] ?? [], expected));
  }

  if (expectation.managedDevice !== undefined) {
    if (!record.device)
      problems.push(`${view.serialNumber} has no managed device record yet (it is not in the report)`);
    else
      problems.push(
        ...fieldProblems(
          'the managed device',
          record.device as Record<string, unknown>,
          expectation.managedDevice,
        ),
      );
  }

  if (ledger !== undefined) {
    const actual = record.ledger.map((entry) => `${entry.toStage} (${entry.actor})`);
    const matches =
      record.ledger.length === ledger.length &&
      ledger.every(
        (wanted, i) =>
          record.ledger[i]!.toStage === wanted.stage &&
          (wanted.actor === undefined || record.ledger[i]!.actor === wanted.actor),
      );
    if (!matches) {
      const wanted = ledger.map((entry) => (entry.actor ? `${entry.stage} (${entry.actor})` : entry.stage));
      problems.push(`ledger is [${actual.join(', ') || 'empty'}], expected [${wanted.join(', ')}]`);
    }
  }
  return problems;
}

/** Whether `actual` is what a field check asks for; answers the problem, or null. */
export function fieldProblem(
  owner: string,
  entity: Record<string, unknown>,
  field: string,
  expected: FieldValue,
): string | null {
  if (!Object.hasOwn(entity, field))
    return `${owner} has no field ${field} (it has: ${Object.keys(entity).join(', ')})`;
  const actual = entity[field];
  if (expected !== null && typeof expected === 'object') {
    const text =
      actual === null || actual === undefined
        ? ''
        : typeof actual === 'string'
          ? actual
          : JSON.stringify(actual);
    return new RegExp(expected.matches, 'u').test(text)
      ? null
      : `${owner} ${field} is ${JSON.stringify(actual)}, expected it to match /${expected.matches}/`;
  }
  return actual === expected
    ? null
    : `${owner} ${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;
}

export function fieldProblems(
  owner: string,
  entity: Record<string, unknown>,
  fields: Record<string, FieldValue>,
): string[] {
  return Object.entries(fields)
    .map(([field, expected]) => fieldProblem(owner, entity, field, expected))
    .filter((problem): problem is string => problem !== null);
}

/** The report checks of one expectation (managedDevices). */
export async function reportProblems(expectation: Expectation, admin: AdminClient): Promise<string[]> {
  if (expectation.managedDevices === undefined) return [];
  const checks = Array.isArray(expectation.managedDevices)
    ? expectation.managedDevices
    : [expectation.managedDevices];
  const problems: string[] = [];
  for (const check of checks) {
    const filter = 'filter' in check ? check.filter : undefined;
    const rows = await admin.managedDevices(filter === undefined ? {} : { filter });
    const where =
      filter === undefined ? 'the All devices report' : `the All devices report filtered by ${filter}`;
    if (check.count !== undefined && rows.length !== check.count) {
      problems.push(
        `${where} has ${rows.length} row${rows.length === 1 ? '' : 's'}${rows.length > 0 && rows.length <= 5 ? ` (${rows.map((row) => row.deviceName).join(', ')})` : ''}, expected ${check.count}`,
      );
    }
    const pattern = 'deviceName' in check ? check.deviceName : undefined;
    if (pattern !== undefined) {
      const regex = new RegExp(pattern, 'u');
      const odd = rows.filter((row) => !regex.test(row.deviceName));
      if (odd.length > 0)
        problems.push(
          `in ${where}, ${odd.map((row) => `"${row.deviceName}"`).join(', ')} do not match /${pattern}/`,
        );
    }
  }
  return problems;
}
