import type { SimulatedDevice } from '../../../agent/device/SimulatedDevice';
import type { DeviceEvent } from '../../../agent/model/events';
import { eventKind } from '../../../agent/model/events';
import { metaOfPath, statePath } from '../../../agent/model/inspect';
import { ENROLLED, onwardPath } from '../onward';

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
    act(device, next.event, world);
  }
  throw new Error(
    `${device.serialNumber} did not reach enrolled within 200 steps (it is in ${statePath(device.snapshot())})`,
  );
}

function act(device: SimulatedDevice, event: DeviceEvent, world: { qrText: string; upn: string }): void {
  switch (event.type) {
    case 'QR_SCANNED':
      device.readProvisioningText(world.qrText);
      return;
    case 'SIGN_IN':
      device.signIn(world.upn);
      return;
    case 'CONNECT_WIFI':
      device.connectWifi();
      return;
    default:
      device.send(event);
  }
}

/** The ledger stages a device heard the backend acknowledge, oldest first, from its own history. */
export function heardStages(device: SimulatedDevice): string[] {
  const heard: string[] = [];
  for (const transition of device.history()) {
    if (transition.event === 'TOKEN_ACCEPTED') heard.push('tokenCreated');
    if (transition.event !== 'STAGE_RECORDED') continue;
    const stage = metaOfPath(transition.state).stage;
    heard.push(
      stage === 'stagingStage2' ? 'staged' : stage === 'defaultStage1' ? 'adminProvisioned' : 'enrolled',
    );
  }
  return heard;
}
