import { viewOfMeta, type DeviceView } from '../../../agent/device/deviceView';
import { metaOfPath } from '../../../agent/model/inspect';
import { reasonMessages, SCREEN_ERROR_REASONS, screens as catalogue } from '../../../agent/model/screens';
import type { RecognizedScreen } from './recognizeScreen';
import { screenTitles } from '../../../agent/selectors/selectors';

/**
 * A DeviceView read from the screen alone, for a device with no model behind it to ask: the state from
 * the screen tracker, texts from the page source, the error reason from the message shown. What a screen
 * cannot tell (which token, the stage the backend confirmed) is null.
 */
const reasonByMessage = new Map(Object.entries(reasonMessages).map(([reason, message]) => [message, reason]));

export function viewFromScreen(
  serialNumber: string,
  state: string,
  shown: RecognizedScreen,
  signedInAs: string | null,
): DeviceView {
  const meta = metaOfPath(state);
  const definition = catalogue[shown.id]!;
  const text = (key: string): string | null => (key in shown.texts ? shown.texts[key]! : null);
  const errorMessage = meta.error ? (text('errorMessage') ?? null) : null;
  const errorReason = meta.error
    ? (SCREEN_ERROR_REASONS[shown.id] ??
      (errorMessage !== null ? (reasonByMessage.get(errorMessage) ?? 'unknown') : 'unknown'))
    : null;
  const deliveries = text('deliveries');
  const upn = meta.userless ? null : text('account') || signedInAs;
  return {
    serialNumber,
    state,
    screen: {
      id: shown.id,
      title: screenTitles().get(shown.id) ?? meta.screen.title,
      appPackage: definition.appPackage,
    },
    ...viewOfMeta(meta),
    errorReason,
    errorMessage,
    upn,
    flow: null,
    mode: null,
    recordedStage: null,
    deviceName: text('deviceName') || null,
    deliveries: deliveries === null ? null : splitDeliveries(deliveries),
    wifiConnected: false,
    elements: definition.elements.map((element) => ({ ...element, value: text(element.key) ?? '' })),
  };
}

function splitDeliveries(text: string): { policies: string[]; apps: string[] } {
  // The progress screen lists policies and apps together; a real device's list cannot tell them apart.
  const names = text === '' ? [] : text.split(', ');
  return { policies: names, apps: [] };
}
