import type { DeviceEventType } from './events';

/**
 * The screen catalogue: for every screen id the model's states name, the app that shows it and the
 * elements a person can see and use. Element keys are semantic ("startButton"); how a key is found on a
 * real Android build (resource-id, text) lives in the selector data files of the Appium target, and the
 * simulated Appium driver renders the same keys with the same selectors.
 */
export type ElementKind = 'button' | 'input' | 'text' | 'image';

export interface ScreenElement {
  key: string;
  kind: ElementKind;
  label: string;
  /** The model event a tap on this element sends (inputs send nothing by themselves). */
  action?: DeviceEventType;
  /** For a button that submits an input: the input it reads. */
  reads?: string;
}

export interface ScreenDefinition {
  appPackage: string;
  elements: ScreenElement[];
}

export const SETUP_WIZARD = 'com.google.android.setupwizard';
export const DEVICE_POLICY = 'com.google.android.apps.work.clouddpc';
export const INTUNE_APP = 'com.microsoft.intune';
const SYSTEM = 'android';
export const LAUNCHER = 'com.google.android.apps.nexuslauncher';

const text = (key: string, label: string): ScreenElement => ({ key, kind: 'text', label });
const button = (key: string, label: string, action: DeviceEventType, reads?: string): ScreenElement => ({
  key,
  kind: 'button',
  label,
  action,
  ...(reads ? { reads } : {}),
});
const input = (key: string, label: string): ScreenElement => ({ key, kind: 'input', label });
const tryAgain = button('tryAgainButton', 'Try again', 'TRY_AGAIN');
const errorText = text('errorMessage', '');
const progress = (app: string): ScreenDefinition => ({
  appPackage: app,
  elements: [text('progressMessage', 'Please wait…')],
});

export const screens: Record<string, ScreenDefinition> = {
  'powered-off': { appPackage: SYSTEM, elements: [] },
  welcome: {
    appPackage: SETUP_WIZARD,
    elements: [
      { key: 'welcomeImage', kind: 'image', label: 'Welcome', action: 'TAP_WELCOME' },
      button('startButton', 'Start', 'START'),
    ],
  },
  language: {
    appPackage: SETUP_WIZARD,
    elements: [
      text('languageList', 'English (United States)'),
      button('nextButton', 'Next', 'SELECT_LANGUAGE'),
    ],
  },
  network: {
    appPackage: SETUP_WIZARD,
    elements: [
      button('wifiNetwork', 'Connect to Wi-Fi', 'CONNECT_WIFI'),
      button('skipButton', 'Skip', 'SKIP_NETWORK'),
    ],
  },
  'sign-in': {
    appPackage: SETUP_WIZARD,
    elements: [
      input('emailField', 'Email or phone'),
      button('nextButton', 'Next', 'SIGN_IN', 'emailField'),
      button('scanQrButton', 'Scan QR code', 'OPEN_QR_READER'),
      button('enterTokenButton', 'Enter enrollment token', 'OPEN_TOKEN_ENTRY'),
    ],
  },
  'checking-account': progress(SETUP_WIZARD),
  'sign-in-not-allowed': { appPackage: SETUP_WIZARD, elements: [errorText, tryAgain] },
  'qr-reader': {
    appPackage: SETUP_WIZARD,
    elements: [
      { key: 'cameraPreview', kind: 'image', label: 'Point the camera at the QR code' },
      button('cancelButton', 'Cancel', 'CANCEL'),
    ],
  },
  'invalid-qr-code': { appPackage: SETUP_WIZARD, elements: [errorText, tryAgain] },
  'token-entry': {
    appPackage: DEVICE_POLICY,
    elements: [
      input('tokenField', 'Enrollment token'),
      button('nextButton', 'Next', 'TOKEN_SUBMITTED', 'tokenField'),
      button('cancelButton', 'Cancel', 'CANCEL'),
    ],
  },
  'checking-configuration': progress(SETUP_WIZARD),
  'preparing-device': progress(DEVICE_POLICY),
  'no-network': { appPackage: DEVICE_POLICY, elements: [errorText, tryAgain] },
  'checking-token': progress(DEVICE_POLICY),
  'token-rejected': { appPackage: DEVICE_POLICY, elements: [errorText, tryAgain] },
  'manual-entry-not-supported': {
    appPackage: DEVICE_POLICY,
    elements: [errorText, button('tryAgainButton', 'Scan QR code', 'TRY_AGAIN')],
  },
  'unsupported-android': {
    appPackage: DEVICE_POLICY,
    elements: [errorText, button('resetButton', 'Reset device', 'FACTORY_RESET')],
  },
  'cant-set-up-device': {
    appPackage: DEVICE_POLICY,
    elements: [errorText, button('resetButton', 'Reset device', 'FACTORY_RESET')],
  },
  'setup-interrupted': {
    appPackage: DEVICE_POLICY,
    elements: [errorText, button('resetButton', 'Reset device', 'FACTORY_RESET')],
  },
  'enrollment-in-progress': {
    appPackage: DEVICE_POLICY,
    elements: [text('progressMessage', 'Enrollment in progress'), text('deliveries', '')],
  },
  staged: {
    appPackage: DEVICE_POLICY,
    elements: [
      text('stagedMessage', 'This device is staged. Turn it off and give it to its user.'),
      text('deviceName', ''),
    ],
  },
  'ready-to-distribute': {
    appPackage: DEVICE_POLICY,
    elements: [text('readyMessage', 'Setup is complete. Turn off the device and give it to its user.')],
  },
  home: {
    appPackage: LAUNCHER,
    elements: [
      text('clock', 'Good morning'),
      { key: 'intuneAppIcon', kind: 'button', label: 'Intune', action: 'OPEN_INTUNE_APP' },
    ],
  },
  'intune-sign-in': {
    appPackage: INTUNE_APP,
    elements: [
      input('emailField', 'Work or school account'),
      button('signInButton', 'Sign in', 'SIGN_IN', 'emailField'),
    ],
  },
  'user-network': {
    appPackage: SETUP_WIZARD,
    elements: [button('wifiNetwork', 'Connect to Wi-Fi', 'CONNECT_WIFI')],
  },
  'user-sign-in': {
    appPackage: INTUNE_APP,
    elements: [
      input('emailField', 'Work or school account'),
      button('signInButton', 'Sign in', 'SIGN_IN', 'emailField'),
    ],
  },
  'sign-in-failed': { appPackage: INTUNE_APP, elements: [errorText, tryAgain] },
  'work-profile': {
    appPackage: INTUNE_APP,
    elements: [
      text('workProfileMessage', 'Your organization will manage the work profile.'),
      button('acceptButton', 'Accept & continue', 'CREATE_WORK_PROFILE'),
    ],
  },
  permissions: { appPackage: INTUNE_APP, elements: [button('allowButton', 'Allow', 'GRANT_PERMISSIONS')] },
  terms: {
    appPackage: INTUNE_APP,
    elements: [text('termsText', 'Terms of use'), button('acceptButton', 'Accept', 'ACCEPT_TERMS')],
  },
  'enrollment-incomplete': {
    appPackage: INTUNE_APP,
    elements: [errorText, button('resumeButton', 'Continue enrollment', 'RESUME_ENROLLMENT')],
  },
  enrolled: {
    appPackage: INTUNE_APP,
    elements: [text('enrolledMessage', "You're all set"), text('account', '')],
  },
};

export function screenDefinition(screenId: string): ScreenDefinition {
  const definition = screens[screenId];
  if (!definition) throw new Error(`no screen "${screenId}" in the catalogue`);
  return definition;
}

/** Error screens whose reason is the screen itself rather than an answer of the enrollment service. */
export const SCREEN_ERROR_REASONS: Readonly<Record<string, string>> = {
  'setup-interrupted': 'setupInterrupted',
  'enrollment-incomplete': 'enrollmentIncomplete',
};

/** What the device shows for each reason an enrollment step failed. */
export const reasonMessages: Record<string, string> = {
  unknown: 'This enrollment token is not valid. Check it with your IT admin.',
  expired: 'This enrollment token has expired. Ask your IT admin for a new one.',
  revoked: 'This enrollment token was revoked by your IT admin.',
  replaced: 'This enrollment token was replaced by a newer one. Ask your IT admin for the new token.',
  wrongTokenType: 'This token is for a different kind of enrollment.',
  modeNotAllowed: "This token's enrollment profile does not support this kind of enrollment.",
  androidTooOld: 'This device runs a version of Android older than 8.0, which Intune does not support.',
  manualEntryNotSupported:
    'Entering a token by hand is not supported for a work profile on Android 11 or later. Scan the QR code.',
  rateLimited: 'Too many attempts. Wait a moment and try again.',
  noNetwork: 'This device needs a network connection to enroll. Connect to Wi-Fi and try again.',
  invalidQrCode: "This QR code isn't an enrollment code.",
  checksumMismatch:
    "Can't set up device: the device policy app's checksum does not match. Contact your IT admin.",
  downloadFailed: "Can't set up device: the device policy app could not be downloaded.",
  installFailed: "Can't set up device: the device policy app could not be installed.",
  configurationInvalid:
    "Can't set up device: the device's zero-touch or Knox configuration can't be read. Contact your IT admin for help.",
  otherDpc:
    "Can't set up device: the device's configuration names a device policy app other than Android Device Policy. Contact your IT admin for help.",
  deviceNotStaged: 'This device has not been set up by your organization. Sign-in is not possible yet.',
  invalidUpn: 'Enter a work or school account such as john@contoso.com.',
  alreadyEnrolled: 'This device is already enrolled for another user.',
  accountNotFound: "We couldn't find that work or school account in your organization.",
  setupInterrupted: 'Setup was interrupted before it finished. Reset this device and start again.',
  enrollmentIncomplete: "Your device isn't protected yet. Continue enrollment to finish.",
};
