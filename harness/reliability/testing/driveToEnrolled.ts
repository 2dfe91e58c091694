import type { SimulatedDevice } from '../../../agent/device/SimulatedDevice';
import { eventKind } from '../../../agent/model/events';
import { metaOfPath, statePath } from '../../../agent/model/inspect';
import { EFFECT_WORK } from '../../../agent/model/meta';
import { performAction } from '../../model-testing/personActs';
import { ENROLLED, onwardPath } from '../../model-testing/onward';

/**
 * Walks a device to enrolled the way the model's shortest path goes from wherever it is, as a vendor and
 * then a user would: one action at a time, waiting for the device's own work in between. A device whose
 * work ended without an outcome (it gave up on the backend) is lost, and the walk says so.
 */
export async function driveToEnrolled(
  device: SimulatedDevice,
  world: { qrText: string; upn: string },
): Promise<void> {
  for (let steps = 0; steps < 200; steps += 1) {
    await device.settled();
    const snapshot = device.snapshot();
    const state = statePath(snapshot);
    if (state === ENROLLED) return;
    if (metaOfPath(state).effect) {
      const error = device.effectError();
      if (error) throw new Error(`${device.serialNumber} is lost in ${state}: ${error.message}`);
      // Held or about to start: give the work a turn.
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    const next = onwardPath(snapshot)?.steps.find((step) => eventKind(step.event.type) !== 'outcome');
    if (!next) throw new Error(`${device.serialNumber} has no way from ${state} to enrolled`);
    performAction(device, next.event.type, world);
  }
  throw new Error(
    `${device.serialNumber} did not reach enrolled within 200 steps (it is in ${statePath(device.snapshot())})`,
  );
}

/** The ledger stages a device heard the backend acknowledge, oldest first, from its own history. */
export function heardStages(device: SimulatedDevice): string[] {
  const heard: string[] = [];
  let from: string | null = null;
  for (const transition of device.history()) {
    // The success of a progress screen's work means the service recorded what that work asked.
    const effect = from === null ? undefined : metaOfPath(from).effect;
    if (effect && transition.event === EFFECT_WORK[effect].succeededWith) {
      const stage = EFFECT_WORK[effect].records;
      if (stage) heard.push(stage);
    }
    from = transition.state;
  }
  return heard;
}
