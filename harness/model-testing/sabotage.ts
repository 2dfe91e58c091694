import type { Target, TargetAction, TargetDevice } from '../targets/target';

/**
 * Deliberately broken devices, to prove the suite catches a device that does not do what the model
 * says (a harness that cannot fail proves nothing). Each fault wraps a healthy target device.
 */
export const SABOTAGE_FAULTS = {
  /** The vendor's power-off after staging is ignored: the device stays on the "staged" screen. */
  'skip-power-off': async (device: TargetDevice, action: TargetAction, perform: () => Promise<void>) => {
    if (action.type === 'POWER_OFF' && (await device.view()).state === 'stagingStage2.readyToPowerOff')
      return;
    await perform();
  },
  /** The device signs in with another account than the one the user typed. */
  'wrong-account': async (
    _device: TargetDevice,
    action: TargetAction,
    perform: (replacement?: TargetAction) => Promise<void>,
  ) => {
    if (action.type === 'SIGN_IN') return perform({ type: 'SIGN_IN', upn: `someone.else.${action.upn}` });
    await perform();
  },
} as const;

export type SabotageFault = keyof typeof SABOTAGE_FAULTS;
export const sabotageFaults = Object.keys(SABOTAGE_FAULTS) as SabotageFault[];

export function sabotage(target: Target, fault: SabotageFault): Target {
  const interfere = SABOTAGE_FAULTS[fault];
  return {
    name: `${target.name} (sabotaged: ${fault})`,
    close: () => target.close(),
    async createDevice(profile, backendUrl, ca) {
      const device = await target.createDevice(profile, backendUrl, ca);
      const broken: TargetDevice = Object.create(device) as TargetDevice;
      broken.perform = (action: TargetAction) =>
        interfere(device, action, (replacement?: TargetAction) => device.perform(replacement ?? action));
      return broken;
    },
  };
}
