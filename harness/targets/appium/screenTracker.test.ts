import { ScreenTracker } from './screenTracker';

/** Reading the model state from the screens alone, as a real device must be read. */

test('a device out of its box is off; the screens it then shows name their states', () => {
  const tracker = new ScreenTracker();
  expect(tracker.state).toBe('outOfBox');
  expect(tracker.observe('welcome')).toBe('setupWizard.welcome');
  expect(tracker.observe('qr-reader')).toBe('setupWizard.qrReader');
});

test('a screen several states show is read as the one nearest to where the device was', () => {
  const staging = new ScreenTracker();
  for (const screen of ['welcome', 'qr-reader', 'enrollment-in-progress']) staging.observe(screen);
  expect(staging.state).toBe('stagingStage2.enrollmentInProgress');
  expect(staging.observe('staged')).toBe('stagingStage2.readyToPowerOff');
  expect(staging.observe('powered-off')).toBe('stagingStage3.poweredOff');
  expect(staging.observe('home')).toBe('stagingStage3.home');

  const interrupted = new ScreenTracker();
  for (const screen of ['welcome', 'qr-reader', 'enrollment-in-progress']) interrupted.observe(screen);
  expect(interrupted.observe('powered-off')).toBe('setupInterrupted.poweredOff');
  expect(interrupted.observe('setup-interrupted')).toBe('setupInterrupted.resetRequired');

  const defaultToken = new ScreenTracker();
  for (const screen of ['welcome', 'qr-reader', 'ready-to-distribute', 'powered-off'])
    defaultToken.observe(screen);
  expect(defaultToken.state).toBe('defaultStage2.poweredOff');
  expect(defaultToken.observe('user-network')).toBe('defaultStage2.connectWifi');
});

test('staying on a screen keeps the state; an unknown screen changes nothing', () => {
  const tracker = new ScreenTracker();
  tracker.observe('welcome');
  expect(tracker.observe('welcome')).toBe('setupWizard.welcome');
  expect(tracker.observe('no-such-screen')).toBe('setupWizard.welcome');
});
