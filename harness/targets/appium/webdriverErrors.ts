import { StagesimError, isStagesimError } from '../../../agent/errors';

/**
 * WebDriver errors as StagesimErrors. The stagesim driver starts its messages with `[stagesim:CODE]`, so
 * a device refusal through Appium carries the same code as on the headless target (TOKEN_*,
 * ACTION_NOT_AVAILABLE, NO_WIFI_IN_RANGE, FRAME_*). Any other WebDriver error becomes APPIUM_<W3C NAME>
 * (APPIUM_NO_SUCH_ELEMENT, APPIUM_UNKNOWN_METHOD, APPIUM_SESSION_NOT_CREATED, ...).
 */
const DEVICE_CODE = /\[stagesim:([A-Z0-9_]+)\]\s*([\s\S]*?)(?: when running "[^"]*" with method "[A-Z]+")?$/;

export function w3cName(error: unknown): string | null {
  const name = error instanceof Error ? error.name : null;
  return name && /^[a-z][a-z ]+$/.test(name) ? name : null;
}

export function fromWebDriverError(error: unknown): StagesimError {
  if (isStagesimError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const device = DEVICE_CODE.exec(message);
  if (device) return new StagesimError(device[1]!, device[2]!.trim(), { cause: error });
  const name = w3cName(error);
  const code = name ? `APPIUM_${name.toUpperCase().replace(/ /g, '_')}` : 'APPIUM_ERROR';
  return new StagesimError(code, message.replace(/^WebDriverError: /, ''), { cause: error });
}

/** Whether the server answered that it has no such command (so a fallback may be tried). */
export function isUnsupported(error: StagesimError): boolean {
  return (
    ['APPIUM_UNKNOWN_METHOD', 'APPIUM_UNKNOWN_COMMAND', 'APPIUM_UNSUPPORTED_OPERATION'].includes(
      error.code,
    ) || /not (yet )?(been )?implemented|unsupported execute method/i.test(error.message)
  );
}
