import { metaOfPath, statePath } from '../../agent/model/inspect';
import type { EnrollmentStage } from '../../agent/protocol/enrollment';
import { checkBackend, checkLedger } from '../model-testing/checks';
import type { DeviceBackendRecord } from '../world/DeviceRecordReader';
import { ENROLLED } from '../model-testing/onward';

import { believed, type Records, type Slot } from './faultHarness';

/** What the fault matrix checks of each device once its fault played out, and at the end of the run. */
export const stagesOf = (snapshot: DeviceBackendRecord) =>
  snapshot.ledger.map((entry) => entry.toStage).join(' > ');

export function checkSettled(records: Records, slot: Slot, twin: Slot): string[] {
  const problems: string[] = [];
  const view = slot.device.view();
  const { expected } = slot;
  if (view.state !== expected.settlesAt)
    problems.push(`settled in ${view.state}, expected ${expected.settlesAt} (${expected.why})`);
  if (expected.errorReason && view.errorReason !== expected.errorReason)
    problems.push(`shows error ${view.errorReason ?? 'none'}, expected ${expected.errorReason}`);
  if (metaOfPath(view.state).effect)
    problems.push(
      `lost in ${view.state}: its work ended with ${slot.device.effectError()?.message ?? 'nothing'}`,
    );
  const backend = records.of(slot.serial);
  problems.push(
    ...checkBackend(believed(slot).context, slot.serial, backend, null).map(
      (problem) => `after the fault: ${problem}`,
    ),
  );
  // Faults that must make no difference leave the ledger as the twin's.
  const transparent = slot.fault !== null && slot.fault !== 'powerLoss' && !expected.errorReason;
  if (transparent) {
    const twinStages = stagesOf(records.of(twin.serial));
    if (stagesOf(backend) !== twinStages)
      problems.push(`ledger [${stagesOf(backend)}] differs from the fault-free twin's [${twinStages}]`);
  }
  return problems;
}

export function checkFinal(records: Records, slot: Slot): string[] {
  const problems: string[] = [];
  const { expected } = slot;
  const state = statePath(slot.device.snapshot());
  const goal = expected.continues ? ENROLLED : expected.settlesAt;
  if (state !== goal) problems.push(`the device ended in ${state}, not ${goal}`);
  const backend = records.of(slot.serial);
  const finalStage: EnrollmentStage | null = expected.continues
    ? 'enrolled'
    : believed(slot).context.recordedStage;
  problems.push(...checkLedger(backend.ledger, finalStage).map((problem) => `final ledger: ${problem}`));
  const listed = records.managedCount(slot.serial);
  if (listed > 1) problems.push(`the backend lists ${listed} managed devices with serial ${slot.serial}`);
  const sinceReset = backend.ledger.slice(
    backend.ledger.map((entry) => entry.toStage).lastIndexOf('factoryReset') + 1,
  );
  const enrollments = sinceReset.filter((entry) => entry.toStage === 'enrolled').length;
  if (enrollments > 1) problems.push(`enrolled ${enrollments} times since its last reset`);
  if (expected.continues && backend.device?.simulatorEnrollmentStage !== 'enrolled')
    problems.push('the backend does not list the device as enrolled');
  if (slot.fault !== null && expected.fires === 'nextExchange' && !slot.fired && slot.exchanged)
    problems.push(`the armed ${slot.fault} never fired`);
  if (slot.fault !== null && expected.fires === 'now' && !slot.fired)
    problems.push(`${slot.fault} never fired`);
  return problems;
}
