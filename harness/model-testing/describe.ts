import type { DeviceEvent } from '../../agent/model/events';
import { eventKind } from '../../agent/model/events';
import type { Actor } from '../../agent/model/meta';

/** A step as a person reads it in a report: who does what, or what the device observed. */
const ACTIONS: Partial<Record<DeviceEvent['type'], string>> = {
  POWER_ON: 'powers the device on',
  POWER_OFF: 'powers the device off',
  START: 'taps Start',
  TAP_WELCOME: 'taps the welcome screen',
  SELECT_LANGUAGE: 'chooses the language',
  CONNECT_WIFI: 'connects to Wi-Fi',
  SKIP_NETWORK: 'skips the network screen',
  OPEN_QR_READER: 'opens the QR reader',
  OPEN_TOKEN_ENTRY: 'opens token entry',
  QR_SCANNED: 'scans the QR code',
  QR_INVALID: 'scans a QR code that is not an enrollment code',
  TOKEN_SUBMITTED: 'types the token and submits it',
  CANCEL: 'cancels',
  TRY_AGAIN: 'taps Try again',
  OPEN_INTUNE_APP: 'opens the Microsoft Intune app',
  SIGN_IN: 'signs in',
  CREATE_WORK_PROFILE: 'creates the work profile',
  GRANT_PERMISSIONS: 'grants app permissions',
  ACCEPT_TERMS: 'accepts the terms',
  RESUME_ENROLLMENT: 'continues enrollment',
  FACTORY_RESET: 'resets the device to factory settings',
};

export function describeEvent(event: DeviceEvent, actor: Actor): string {
  const reason = 'reason' in event ? ` (${event.reason})` : 'source' in event ? ` (${event.source})` : '';
  switch (eventKind(event.type)) {
    case 'outcome':
      return `device observes ${event.type}${reason}`;
    case 'environment':
      return 'power is cut';
    default:
      return `${actor === 'nobody' ? 'vendor' : actor} ${ACTIONS[event.type] ?? event.type}${event.type === 'SIGN_IN' ? ` as ${event.upn}` : ''}`;
  }
}
