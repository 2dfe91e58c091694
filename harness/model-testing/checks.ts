import type { DeviceView } from '../../agent/device/SimulatedDevice';
import type { DeviceModelContext } from '../../agent/model/deviceModel';
import { metaOfPath } from '../../agent/model/inspect';
import type { BackendView } from '../reporters/report';
import type { LedgerEntry } from '../world/AdminClient';
import type { DeviceBackendRecord } from '../world/DeviceRecordReader';
import type { PlannedResource, TargetingPlan } from '../world/EnrollmentWorld';

/**
 * The checks made after every step: the device shows what the model state names, and the backend's
 * record of the device and its ledger say what the model's context says the service confirmed.
 * Each check returns the mismatches as sentences; an empty list is a pass.
 */

export function backendView(snapshot: DeviceBackendRecord): BackendView {
  const { device, ledger } = snapshot;
  return {
    stage: device?.simulatorEnrollmentStage ?? ledger.at(-1)?.toStage ?? null,
    deviceName: device?.deviceName ?? null,
    userPrincipalName: device ? device.userPrincipalName || null : null,
    tokenId: ledger.at(-1)?.tokenId ?? null,
    policies: device?.simulatorDeliveredPolicies ?? [],
    apps: device?.simulatorDeliveredApps ?? [],
  };
}

/** The device is on the screen of the model state `expectedPath`, showing what that state means. */
export function checkScreen(expectedPath: string, view: DeviceView, reportsState: boolean): string[] {
  const meta = metaOfPath(expectedPath);
  const problems: string[] = [];
  if (reportsState && view.state !== expectedPath)
    problems.push(`device is in state ${view.state}, the model is in ${expectedPath}`);
  if (view.screen.id !== meta.screen.id)
    problems.push(
      `device shows screen "${view.screen.id}", the model state ${expectedPath} shows "${meta.screen.id}"`,
    );
  if (view.userless !== meta.userless)
    problems.push(
      `device is ${view.userless ? 'userless' : 'user-affiliated'}, the model says ${meta.userless ? 'userless' : 'user-affiliated'}`,
    );
  if (view.poweredOff !== meta.poweredOff)
    problems.push(
      `device is ${view.poweredOff ? 'off' : 'on'}, the model says ${meta.poweredOff ? 'off' : 'on'}`,
    );
  if (meta.error && !view.errorReason) problems.push(`error screen "${meta.screen.id}" shows no reason`);
  return problems;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What the staging document says a device's report name looks like at each stage. */
export function expectedNamePattern(stage: string | null, serial: string, upn: string | null): RegExp | null {
  const tail = '_[A-Za-z]+_\\d{2}/\\d{2}/\\d{4}_\\d{1,2}\\.\\d{2} (AM|PM)$';
  if (stage === 'staged') return new RegExp(`^Staging_${escapeRegExp(serial)}${tail}`);
  if (stage === 'adminProvisioned') return new RegExp(`^${escapeRegExp(serial)}${tail}`);
  if (stage === 'enrolled' && upn) return new RegExp(`^${escapeRegExp(upn)}${tail}`);
  return null;
}

/** The resources a device must have received in its stage, as Graph names them. */
export function expectedDeliveries(
  stage: string | null,
  targeting: TargetingPlan | null,
): PlannedResource[] | null {
  if (!targeting) return null;
  // Stage 2 can be targeted only through assignment filters; groups apply after the user signs in.
  if (stage === 'staged' || stage === 'adminProvisioned') return [targeting.filterPolicy];
  if (stage === 'enrolled')
    return [targeting.filterPolicy, targeting.userGroupPolicy, targeting.deviceGroupApp];
  return null;
}

const named = (resources: Array<{ id: string; '@odata.type': string; displayName: string }>) =>
  resources.map((r) => `${r.displayName} (${r['@odata.type'].replace('#microsoft.graph.', '')} ${r.id})`);

const sorted = (items: string[]) => [...items].sort();
const sameSet = (a: string[], b: string[]) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

export function checkBackend(
  context: DeviceModelContext,
  serial: string,
  snapshot: DeviceBackendRecord,
  targeting: TargetingPlan | null,
): string[] {
  const problems: string[] = [];
  const expectedStage = context.recordedStage;
  const { device } = snapshot;
  // A device that only redeemed a token is not a managed device yet; its ledger still knows it.
  const actualStage = device?.simulatorEnrollmentStage ?? snapshot.ledger.at(-1)?.toStage ?? null;
  if (actualStage !== expectedStage) {
    problems.push(
      `backend stage is ${actualStage ?? 'none (no device record)'}, the model expects ${expectedStage ?? 'none'}`,
    );
    return problems;
  }
  if (!device) return problems;
  const expectedUpn = expectedStage === 'enrolled' ? context.upn : null;
  const actualUpn = device.userPrincipalName || null;
  if (actualUpn !== expectedUpn)
    problems.push(
      `backend user is ${actualUpn ?? 'none (userless)'}, the model expects ${expectedUpn ?? 'userless'}`,
    );
  const pattern = expectedNamePattern(expectedStage, serial, expectedUpn);
  if (pattern && !pattern.test(device.deviceName))
    problems.push(`backend device name "${device.deviceName}" does not match ${pattern}`);
  const deliveries = expectedDeliveries(expectedStage, targeting);
  if (deliveries) {
    const actual = device.simulatorDeliveredResources.map(({ id, displayName, ...rest }) => ({
      id,
      displayName,
      '@odata.type': rest['@odata.type'],
    }));
    if (!sameSet(named(actual), named(deliveries))) {
      problems.push(
        `resources delivered are [${named(actual).join(', ')}], expected [${named(deliveries).join(', ')}]`,
      );
    }
    // What the device was told: every policy, and the apps it installs (the app is required).
    const policies = deliveries.filter((r) => !r['@odata.type'].endsWith('App')).map((r) => r.displayName);
    const apps = deliveries.filter((r) => r['@odata.type'].endsWith('App')).map((r) => r.displayName);
    if (!sameSet(device.simulatorDeliveredPolicies, policies)) {
      problems.push(
        `policies delivered are [${device.simulatorDeliveredPolicies.join(', ')}], expected [${policies.join(', ')}]`,
      );
    }
    if (!sameSet(device.simulatorDeliveredApps, apps)) {
      problems.push(
        `apps delivered are [${device.simulatorDeliveredApps.join(', ')}], expected [${apps.join(', ')}]`,
      );
    }
  }
  problems.push(...checkLedger(snapshot.ledger, expectedStage));
  return problems;
}

/**
 * The documented order, written here independently of the backend's own rule so the harness is an
 * oracle and not a copy: a token redeemed (tokenCreated), then staged or admin-provisioned, then
 * enrolled; a factory reset from anywhere, after which the device starts again.
 */
const NEXT: Record<string, string[]> = {
  none: ['tokenCreated'],
  factoryReset: ['tokenCreated'],
  tokenCreated: ['tokenCreated', 'staged', 'adminProvisioned', 'factoryReset'],
  staged: ['enrolled', 'factoryReset'],
  adminProvisioned: ['enrolled', 'factoryReset'],
  enrolled: ['factoryReset'],
};

export function checkLedger(ledger: LedgerEntry[], expectedStage: string | null): string[] {
  const problems: string[] = [];
  let current = 'none';
  let stagedToken: string | null = null;
  for (const entry of ledger) {
    const from = entry.fromStage ?? 'none';
    if (from !== current)
      problems.push(`ledger entry ${entry.seq} starts from ${from}, but the device was ${current}`);
    if (!(NEXT[from] ?? []).includes(entry.toStage))
      problems.push(
        `ledger entry ${entry.seq} goes ${from} -> ${entry.toStage}, which skips or reverses a stage`,
      );
    if (entry.toStage === 'staged' || entry.toStage === 'adminProvisioned') {
      if (!entry.tokenId) problems.push(`ledger entry ${entry.seq} (${entry.toStage}) names no token`);
      stagedToken = entry.tokenId;
    }
    if (entry.toStage === 'enrolled' && stagedToken && entry.tokenId !== stagedToken) {
      problems.push(
        `ledger entry ${entry.seq} enrolled with token ${entry.tokenId}, but the device was staged with ${stagedToken}`,
      );
    }
    current = entry.toStage;
  }
  if (ledger.length > 0 && current !== (expectedStage ?? 'none'))
    problems.push(`ledger ends at ${current}, the model expects ${expectedStage ?? 'none'}`);
  return problems;
}
