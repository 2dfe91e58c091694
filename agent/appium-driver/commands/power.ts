import { z } from 'zod';
import { StagesimError } from '../../errors';
import { effectSchema } from '../../model/meta';
import type { SimulatedDevice } from '../../device/SimulatedDevice';
import type { StagesimDriver } from '../driver';
import { asWebDriver } from '../driverErrors';

/**
 * What happens to the device rather than on its screen: power, network, work held in flight, a reset
 * from recovery. On an emulator these are the emulator's own controls (power-cycle.sh, the console);
 * here they act on the simulated device, which keeps its state across a power cycle within the session.
 */

async function act(driver: StagesimDriver, change: (device: SimulatedDevice) => void): Promise<null> {
  return asWebDriver('command', async () => {
    const session = driver.deviceSession();
    await session.idle();
    session.focus(null);
    change(session.device);
    await session.idle();
    return null;
  });
}

export async function mobileStagesimPowerOn(this: StagesimDriver) {
  return act(this, (device) => device.send({ type: 'POWER_ON' }));
}

export async function mobileStagesimPowerOff(this: StagesimDriver) {
  return act(this, (device) => device.send({ type: 'POWER_OFF' }));
}

export async function mobileStagesimPressPowerButton(this: StagesimDriver) {
  return act(this, (device) => device.pressPowerButton());
}

/** Off and on again (from off: just on). */
export async function mobileStagesimPowerCycle(this: StagesimDriver) {
  await act(this, (device) => {
    if (!device.view().poweredOff) device.send({ type: 'POWER_OFF' });
  });
  return act(this, (device) => device.send({ type: 'POWER_ON' }));
}

export async function mobileStagesimCutPower(this: StagesimDriver) {
  return act(this, (device) => device.cutPower());
}

export async function mobileStagesimFactoryReset(this: StagesimDriver) {
  return act(this, (device) => device.factoryReset());
}

const flag = (name: string, value: unknown): boolean | undefined => {
  const parsed = z
    .boolean()
    .optional()
    .safeParse(value ?? undefined);
  if (!parsed.success) throw new StagesimError('ARGUMENT_INVALID', `${name}: expected true or false`);
  return parsed.data;
};

export async function mobileStagesimSetNetwork(
  this: StagesimDriver,
  wifiInRange: unknown,
  cellular: unknown,
) {
  return act(this, (device) => {
    const wifi = flag('wifiInRange', wifiInRange);
    const mobile = flag('cellular', cellular);
    if (wifi !== undefined) device.setWifiInRange(wifi);
    if (mobile !== undefined) device.setCellular(mobile);
  });
}

/**
 * Registers (configuration null or absent: removes) the device's zero-touch or Knox Mobile Enrollment
 * configuration: { format, json, dpc }. What a portal does in the cloud, so no emulator has it.
 */
export async function mobileStagesimSetConfiguration(this: StagesimDriver, configuration: unknown) {
  return act(this, (device) => {
    try {
      device.setConfiguration((configuration ?? null) as Parameters<SimulatedDevice['setConfiguration']>[0]);
    } catch (error) {
      if (error instanceof StagesimError) throw new StagesimError('ARGUMENT_INVALID', error.message);
      throw error;
    }
  });
}

export async function mobileStagesimHoldWork(this: StagesimDriver, effect: unknown) {
  return act(this, (device) => {
    const parsed = effectSchema.optional().safeParse(effect ?? undefined);
    if (!parsed.success)
      throw new StagesimError(
        'ARGUMENT_INVALID',
        `effect: expected one of ${effectSchema.options.join(', ')}`,
      );
    device.holdEffects(parsed.data);
  });
}

export async function mobileStagesimReleaseWork(this: StagesimDriver) {
  return act(this, (device) => device.releaseEffects());
}
