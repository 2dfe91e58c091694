import { StagesimError } from '../../../agent/errors';
import { fromWebDriverError, isUnsupported } from './webdriverErrors';

const webDriverError = (name: string, message: string) => Object.assign(new Error(message), { name });

test('a device refusal through the stagesim driver keeps its code and message', () => {
  const error = fromWebDriverError(
    webDriverError(
      'invalid element state',
      'WebDriverError: [stagesim:TOKEN_TOO_SHORT] the token is too short when running "element/1/click" with method "POST"',
    ),
  );
  expect(error).toBeInstanceOf(StagesimError);
  expect(error.code).toBe('TOKEN_TOO_SHORT');
  expect(error.message).toBe('the token is too short');
});

test('other WebDriver errors are APPIUM_<name>', () => {
  expect(fromWebDriverError(webDriverError('no such element', 'not there')).code).toBe(
    'APPIUM_NO_SUCH_ELEMENT',
  );
  expect(fromWebDriverError(webDriverError('session not created', 'no')).code).toBe(
    'APPIUM_SESSION_NOT_CREATED',
  );
  expect(fromWebDriverError(new Error('socket hang up')).code).toBe('APPIUM_ERROR');
});

test('"no such command" answers are recognised, so a fallback can be tried', () => {
  expect(
    isUnsupported(
      fromWebDriverError(webDriverError('unknown method', 'Method has not yet been implemented')),
    ),
  ).toBe(true);
  expect(
    isUnsupported(
      fromWebDriverError(
        webDriverError(
          'unsupported operation',
          "Unsupported execute method 'mobile: injectEmulatorCameraImage'",
        ),
      ),
    ),
  ).toBe(true);
  expect(
    isUnsupported(
      fromWebDriverError(
        webDriverError('unknown error', 'An unknown server-side error occurred: Unsupported execute method'),
      ),
    ),
  ).toBe(true);
  expect(
    isUnsupported(fromWebDriverError(webDriverError('invalid argument', 'payload: expected a base64 PNG'))),
  ).toBe(false);
});
