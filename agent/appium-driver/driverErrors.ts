import { errors } from '@appium/base-driver';
import { isStagesimError, type StagesimError } from '../errors';

/**
 * Device errors as WebDriver errors. The W3C error says what kind of failure it was; the message starts
 * with `[stagesim:CODE]` so a client (the Appium target) recovers the same StagesimError code the
 * headless device throws.
 */
export function stagesimMessage(error: StagesimError): string {
  return `[stagesim:${error.code}] ${error.message}`;
}

export type CommandKind = 'element' | 'command';

export function toWebDriverError(error: unknown, kind: CommandKind): Error {
  if (!isStagesimError(error)) return error instanceof Error ? error : new Error(String(error));
  const message = stagesimMessage(error);
  // A camera frame the device cannot use is a bad argument of the command that showed it.
  if (error.code.startsWith('FRAME_')) return new errors.InvalidArgumentError(message);
  switch (error.code) {
    case 'NO_SUCH_ELEMENT':
      return new errors.NoSuchElementError(message);
    case 'STALE_ELEMENT':
      return new errors.StaleElementReferenceError(message);
    case 'UI_SELECTOR_INVALID':
    case 'XPATH_INVALID':
      return new errors.InvalidSelectorError(message);
    case 'ARGUMENT_INVALID':
      return new errors.InvalidArgumentError(message);
    default:
      // The device refused what was asked on its current screen (or the backend refused it).
      return kind === 'element'
        ? new errors.InvalidElementStateError(message)
        : new errors.UnknownError(message);
  }
}

/** Runs a command body, answering device errors as WebDriver errors. */
export async function asWebDriver<T>(kind: CommandKind, body: () => T | Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toWebDriverError(error, kind);
  }
}
