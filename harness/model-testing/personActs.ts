import type { SimulatedDevice } from '../../agent/device/SimulatedDevice';
import type { DeviceEventType } from '../../agent/model/events';

/** What the person holding the device has in hand: the QR code's text and their account. */
export interface PersonsWorld {
  qrText: string;
  upn: string;
}

/**
 * Does on a SimulatedDevice the action the model names, the way a person would: the power button for
 * power, the QR reader for a scan, the account for a sign-in; everything else is a tap that sends it.
 */
export function performAction(device: SimulatedDevice, type: DeviceEventType, world: PersonsWorld): void {
  switch (type) {
    case 'POWER_ON':
    case 'POWER_OFF':
      device.pressPowerButton();
      return;
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
      device.send({ type } as Parameters<SimulatedDevice['send']>[0]);
  }
}
