import { assign, setup } from 'xstate';
import type { EnrollmentStage } from '../protocol/enrollment';
import type { DeviceEvent } from './events';
import type { StateMetaInput } from './meta';

/**
 * The device model: what an Android device shows and does during Intune enrollment with a staging token
 * (three stages) or the default token (two stages), read top to bottom like the device staging document.
 *
 * It is pure on purpose: no invoke, no delays. States that need work (reach the enrollment service,
 * install the device policy controller) name it in `meta.effect`; the runtime around the model does that
 * work and sends the outcome back as an event. That keeps the machine walkable by xstate/graph, so the
 * same machine drives the headless device, the Appium driver, test generation and the diagrams.
 */

export type Flow = 'staging' | 'default';
export type WorkMode = 'corporateOwnedFullyManaged' | 'corporateOwnedWorkProfile';

export interface DeviceModelContext {
  /** Taps on the welcome screen so far; the sixth opens the QR reader. */
  welcomeTaps: number;
  /** How the vendor gave the device its token: scanned from the QR code or typed by hand. */
  tokenSource: 'qr' | 'manual' | null;
  /** Which token enrolled this device, known once the enrollment service accepted it. */
  flow: Flow | null;
  mode: WorkMode | null;
  /** Why the last step failed, shown on the error screen. */
  errorReason: string | null;
  /** The account the user signed in with; null while the device is userless. */
  upn: string | null;
  /** The stage the enrollment service last confirmed for this device (what its ledger must say). */
  recordedStage: EnrollmentStage | null;
}

export const WELCOME_TAPS_FOR_QR_READER = 6;

const meta = (m: StateMetaInput): StateMetaInput => m;

const initialContext: DeviceModelContext = {
  welcomeTaps: 0,
  tokenSource: null,
  flow: null,
  mode: null,
  errorReason: null,
  upn: null,
  recordedStage: null,
};

export const deviceModel = setup({
  types: {
    context: {} as DeviceModelContext,
    events: {} as DeviceEvent,
  },
  guards: {
    isSixthWelcomeTap: ({ context }) => context.welcomeTaps + 1 >= WELCOME_TAPS_FOR_QR_READER,
    isStagingToken: ({ event }) => event.type === 'TOKEN_ACCEPTED' && event.tokenType === 'deviceStaging',
    isAndroidTooOld: ({ event }) => event.type === 'TOKEN_REJECTED' && event.reason === 'androidTooOld',
    isManualEntryRefused: ({ event }) =>
      event.type === 'TOKEN_REJECTED' && event.reason === 'manualEntryNotSupported',
    isWorkProfile: ({ context }) => context.mode === 'corporateOwnedWorkProfile',
  },
  actions: {
    countWelcomeTap: assign({ welcomeTaps: ({ context }) => context.welcomeTaps + 1 }),
    forgetWelcomeTaps: assign({ welcomeTaps: 0 }),
    rememberScannedToken: assign({ tokenSource: 'qr' }),
    rememberTypedToken: assign({ tokenSource: 'manual' }),
    rememberToken: assign(({ event }) =>
      event.type === 'TOKEN_ACCEPTED'
        ? {
            flow: event.tokenType === 'deviceStaging' ? ('staging' as const) : ('default' as const),
            mode: event.mode,
            errorReason: null,
            // The service records the redeemed token as the admin's stage 1 for this device.
            recordedStage: 'tokenCreated' as const,
          }
        : {},
    ),
    rememberError: assign({
      errorReason: ({ event }) =>
        'reason' in event
          ? event.reason
          : event.type === 'NETWORK_UNAVAILABLE'
            ? 'noNetwork'
            : 'invalidQrCode',
    }),
    clearError: assign({ errorReason: null }),
    rememberUser: assign({
      upn: ({ event, context }) => (event.type === 'SIGN_IN' ? event.upn : context.upn),
    }),
    forgetUser: assign({ upn: null }),
    recordStaged: assign({ recordedStage: 'staged' }),
    recordAdminProvisioned: assign({ recordedStage: 'adminProvisioned' }),
    recordEnrolled: assign({ recordedStage: 'enrolled' }),
    /** A factory reset wipes everything the device knew; the service keeps the reset in its ledger. */
    wipe: assign(({ context }) => ({
      ...initialContext,
      recordedStage: context.recordedStage === null ? null : ('factoryReset' as const),
    })),
  },
}).createMachine({
  id: 'device',
  initial: 'outOfBox',
  context: initialContext,
  on: {
    // A factory reset is always possible from recovery, and always lands on the welcome screen.
    FACTORY_RESET: { target: '.setupWizard.welcome', actions: 'wipe' },
  },
  states: {
    /** A new device in its box (or one that lost power before setup finished): setup starts over. */
    outOfBox: {
      meta: meta({
        screen: { id: 'powered-off', title: 'Powered off' },
        stage: 'unprovisioned',
        actor: 'vendor',
        userless: true,
        poweredOff: true,
      }),
      on: { POWER_ON: { target: 'setupWizard', actions: 'forgetWelcomeTaps' } },
    },

    /**
     * Staging token, stage 2 (admin or vendor) and default token, stage 1 (admin): power on, run the setup
     * wizard to the sign-in screen and stop there, then scan the token's QR code or enter the token.
     * Which token it is becomes known only when the enrollment service accepts it.
     */
    setupWizard: {
      initial: 'welcome',
      on: {
        POWER_OFF: { target: 'outOfBox', actions: ['forgetWelcomeTaps', 'clearError'] },
        POWER_LOST: { target: 'outOfBox', actions: ['forgetWelcomeTaps', 'clearError'] },
      },
      states: {
        welcome: {
          meta: meta({
            screen: { id: 'welcome', title: 'Welcome to your device' },
            stage: 'unprovisioned',
            actor: 'vendor',
            userless: true,
          }),
          on: {
            START: { target: 'language', actions: 'forgetWelcomeTaps' },
            // Tapping the same spot six times opens the QR reader (the default token's stage 1 shortcut).
            TAP_WELCOME: [
              { guard: 'isSixthWelcomeTap', target: 'qrReader', actions: 'forgetWelcomeTaps' },
              { actions: 'countWelcomeTap' },
            ],
          },
        },
        language: {
          meta: meta({
            screen: { id: 'language', title: 'Choose your language' },
            stage: 'unprovisioned',
            actor: 'vendor',
            userless: true,
          }),
          on: { SELECT_LANGUAGE: 'network' },
        },
        network: {
          meta: meta({
            screen: { id: 'network', title: 'Connect to Wi-Fi' },
            stage: 'unprovisioned',
            actor: 'vendor',
            userless: true,
          }),
          on: { CONNECT_WIFI: 'signIn', SKIP_NETWORK: 'signIn' },
        },
        /** "When you get to the sign-in screen, stop. Don't sign in." */
        signIn: {
          meta: meta({
            screen: { id: 'sign-in', title: 'Sign in' },
            stage: 'unprovisioned',
            actor: 'vendor',
            userless: true,
          }),
          on: {
            OPEN_QR_READER: 'qrReader',
            OPEN_TOKEN_ENTRY: 'tokenEntry',
            SIGN_IN: { target: 'checkingAccount', actions: 'rememberUser' },
          },
        },
        /** Somebody signed in on a device that no token has staged: the service refuses. */
        checkingAccount: {
          meta: meta({
            screen: { id: 'checking-account', title: 'Checking info…' },
            stage: 'unprovisioned',
            actor: 'nobody',
            userless: true,
            effect: 'checkAccount',
          }),
          on: { SIGN_IN_REJECTED: { target: 'signInNotAllowed', actions: ['rememberError', 'forgetUser'] } },
        },
        signInNotAllowed: {
          meta: meta({
            screen: { id: 'sign-in-not-allowed', title: "Can't sign in on this device" },
            stage: 'unprovisioned',
            actor: 'vendor',
            userless: true,
            error: true,
          }),
          on: { TRY_AGAIN: { target: 'signIn', actions: 'clearError' } },
        },
        qrReader: {
          meta: meta({
            screen: { id: 'qr-reader', title: 'Scan QR code' },
            stage: 'unprovisioned',
            actor: 'vendor',
            userless: true,
          }),
          on: {
            QR_SCANNED: { target: 'preparingDevice', actions: 'rememberScannedToken' },
            QR_INVALID: { target: 'invalidQrCode', actions: 'rememberError' },
            CANCEL: 'signIn',
          },
        },
        invalidQrCode: {
          meta: meta({
            screen: { id: 'invalid-qr-code', title: "This QR code isn't valid" },
            stage: 'unprovisioned',
            actor: 'vendor',
            userless: true,
            error: true,
          }),
          on: { TRY_AGAIN: { target: 'qrReader', actions: 'clearError' } },
        },
        tokenEntry: {
          meta: meta({
            screen: { id: 'token-entry', title: 'Enter enrollment token' },
            stage: 'unprovisioned',
            actor: 'vendor',
            userless: true,
          }),
          on: {
            TOKEN_SUBMITTED: { target: 'preparingDevice', actions: 'rememberTypedToken' },
            CANCEL: 'signIn',
          },
        },
        /** Join the network, download the device policy controller, verify its checksum, install it. */
        preparingDevice: {
          meta: meta({
            screen: { id: 'preparing-device', title: 'Getting your device ready for work…' },
            stage: 'unprovisioned',
            actor: 'nobody',
            userless: true,
            effect: 'prepareDevice',
          }),
          on: {
            DEVICE_READY: 'checkingToken',
            NETWORK_UNAVAILABLE: { target: 'noNetwork', actions: 'rememberError' },
            SETUP_FAILED: { target: '#device.cantSetUpDevice', actions: 'rememberError' },
          },
        },
        /** Android 10+ needs a network for fully managed enrollment; the Wi-Fi error needs no reset. */
        noNetwork: {
          meta: meta({
            screen: { id: 'no-network', title: 'Connect to a network to continue' },
            stage: 'unprovisioned',
            actor: 'vendor',
            userless: true,
            error: true,
          }),
          on: { TRY_AGAIN: { target: 'network', actions: 'clearError' } },
        },
        checkingToken: {
          meta: meta({
            screen: { id: 'checking-token', title: 'Checking enrollment token…' },
            stage: 'unprovisioned',
            actor: 'nobody',
            userless: true,
            effect: 'redeemToken',
          }),
          on: {
            TOKEN_ACCEPTED: [
              { guard: 'isStagingToken', target: '#device.stagingStage2', actions: 'rememberToken' },
              { target: '#device.defaultStage1', actions: 'rememberToken' },
            ],
            TOKEN_REJECTED: [
              { guard: 'isAndroidTooOld', target: '#device.unsupportedAndroid', actions: 'rememberError' },
              { guard: 'isManualEntryRefused', target: 'manualEntryNotSupported', actions: 'rememberError' },
              { target: 'tokenRejected', actions: 'rememberError' },
            ],
          },
        },
        tokenRejected: {
          meta: meta({
            screen: { id: 'token-rejected', title: "This token can't be used" },
            stage: 'unprovisioned',
            actor: 'vendor',
            userless: true,
            error: true,
          }),
          on: { TRY_AGAIN: { target: 'signIn', actions: 'clearError' } },
        },
        /** Typing the token is not supported for corporate-owned work profile on Android 11+. */
        manualEntryNotSupported: {
          meta: meta({
            screen: { id: 'manual-entry-not-supported', title: 'Scan the QR code to enroll this device' },
            stage: 'unprovisioned',
            actor: 'vendor',
            userless: true,
            error: true,
          }),
          on: { TRY_AGAIN: { target: 'qrReader', actions: 'clearError' } },
        },
      },
    },

    /** Intune needs Android 8 or later; an older device can only be reset. */
    unsupportedAndroid: {
      meta: meta({
        screen: { id: 'unsupported-android', title: "This device can't be enrolled" },
        stage: 'unprovisioned',
        actor: 'vendor',
        userless: true,
        error: true,
      }),
    },

    /** "Can't set up device": every failure but the Wi-Fi one needs a factory reset. */
    cantSetUpDevice: {
      meta: meta({
        screen: { id: 'cant-set-up-device', title: "Can't set up device" },
        stage: 'unprovisioned',
        actor: 'vendor',
        userless: true,
        error: true,
      }),
    },

    /** Staging token, stage 2, after the token is accepted: the device enrolls userless, then is switched off. */
    stagingStage2: {
      initial: 'enrollmentInProgress',
      states: {
        enrollmentInProgress: {
          meta: meta({
            screen: { id: 'enrollment-in-progress', title: 'Enrollment in progress' },
            stage: 'stagingStage2',
            actor: 'nobody',
            userless: true,
            effect: 'recordStaged',
          }),
          on: {
            STAGE_RECORDED: { target: 'readyToPowerOff', actions: 'recordStaged' },
            POWER_LOST: '#device.setupInterrupted',
          },
        },
        /** "Turn off the device and distribute it to the end user." */
        readyToPowerOff: {
          meta: meta({
            screen: { id: 'staged', title: 'Device staged: turn it off and hand it over' },
            stage: 'stagingStage2',
            actor: 'vendor',
            userless: true,
          }),
          on: { POWER_OFF: '#device.stagingStage3', POWER_LOST: '#device.stagingStage3' },
        },
      },
    },

    /** Staging token, stage 3: the end user powers on, signs in to the Microsoft Intune app, and enrollment finishes. */
    stagingStage3: {
      initial: 'poweredOff',
      states: {
        poweredOff: {
          meta: meta({
            screen: { id: 'powered-off', title: 'Powered off' },
            stage: 'stagingStage3',
            actor: 'user',
            userless: true,
            poweredOff: true,
          }),
          on: { POWER_ON: 'home' },
        },
        /** "Open the Microsoft Intune app, and then sign in with your work or school account." */
        home: {
          meta: meta({
            screen: { id: 'home', title: 'Home screen' },
            stage: 'stagingStage3',
            actor: 'user',
            userless: true,
          }),
          on: { OPEN_INTUNE_APP: 'intuneSignIn', POWER_OFF: 'poweredOff', POWER_LOST: 'poweredOff' },
        },
        intuneSignIn: {
          meta: meta({
            screen: {
              id: 'intune-sign-in',
              title: 'Microsoft Intune: sign in with your work or school account',
            },
            stage: 'stagingStage3',
            actor: 'user',
            userless: true,
          }),
          on: {
            SIGN_IN: { target: 'checkingAccount', actions: 'rememberUser' },
            POWER_OFF: 'poweredOff',
            POWER_LOST: 'poweredOff',
          },
        },
        checkingAccount: {
          meta: meta({
            screen: { id: 'checking-account', title: 'Checking info…' },
            stage: 'stagingStage3',
            actor: 'nobody',
            userless: true,
            effect: 'checkAccount',
          }),
          on: {
            SIGN_IN_ACCEPTED: 'enrollmentInProgress',
            SIGN_IN_REJECTED: { target: 'signInFailed', actions: ['rememberError', 'forgetUser'] },
            POWER_LOST: { target: 'poweredOff', actions: 'forgetUser' },
          },
        },
        signInFailed: {
          meta: meta({
            screen: { id: 'sign-in-failed', title: "Couldn't sign you in" },
            stage: 'stagingStage3',
            actor: 'user',
            userless: true,
            error: true,
          }),
          on: { TRY_AGAIN: { target: 'intuneSignIn', actions: 'clearError' } },
        },
        /** Screens that need no input from the user are replaced by this one. */
        enrollmentInProgress: {
          meta: meta({
            screen: { id: 'enrollment-in-progress', title: 'Enrollment in progress' },
            stage: 'stagingStage3',
            actor: 'nobody',
            userless: false,
            effect: 'recordEnrolled',
          }),
          on: {
            STAGE_RECORDED: [
              { guard: 'isWorkProfile', target: 'workProfile', actions: 'recordEnrolled' },
              { target: '#device.enrolled', actions: 'recordEnrolled' },
            ],
            POWER_LOST: 'interrupted',
          },
        },
        workProfile: {
          meta: meta({
            screen: { id: 'work-profile', title: 'Set up your work profile' },
            stage: 'stagingStage3',
            actor: 'user',
            userless: false,
          }),
          on: { CREATE_WORK_PROFILE: '#device.enrolled', POWER_LOST: 'interrupted' },
        },
        /** Power lost mid-enrollment: the device may look enrolled without being protected. */
        interrupted: {
          meta: meta({
            screen: { id: 'powered-off', title: 'Powered off' },
            stage: 'stagingStage3',
            actor: 'user',
            userless: false,
            poweredOff: true,
          }),
          on: { POWER_ON: 'enrollmentIncomplete' },
        },
        enrollmentIncomplete: {
          meta: meta({
            screen: { id: 'enrollment-incomplete', title: 'Finish enrolling your device' },
            stage: 'stagingStage3',
            actor: 'user',
            userless: false,
            error: true,
          }),
          on: { RESUME_ENROLLMENT: 'enrollmentInProgress', POWER_LOST: 'interrupted' },
        },
      },
    },

    /** Power was lost while the userless enrollment of stage 2 ran: Android cannot resume provisioning. */
    setupInterrupted: {
      initial: 'poweredOff',
      states: {
        poweredOff: {
          meta: meta({
            screen: { id: 'powered-off', title: 'Powered off' },
            stage: 'stagingStage2',
            actor: 'vendor',
            userless: true,
            poweredOff: true,
          }),
          on: { POWER_ON: 'resetRequired' },
        },
        resetRequired: {
          meta: meta({
            screen: { id: 'setup-interrupted', title: 'Setup was interrupted: reset this device' },
            stage: 'stagingStage2',
            actor: 'vendor',
            userless: true,
            error: true,
          }),
        },
      },
    },

    /** Default token, stage 1 (admin), after the token is accepted: follow the prompts, then distribute. */
    defaultStage1: {
      initial: 'enrollmentInProgress',
      states: {
        enrollmentInProgress: {
          meta: meta({
            screen: { id: 'enrollment-in-progress', title: 'Enrollment in progress' },
            stage: 'defaultStage1',
            actor: 'nobody',
            userless: true,
            effect: 'recordAdminProvisioned',
          }),
          on: {
            STAGE_RECORDED: { target: 'readyToDistribute', actions: 'recordAdminProvisioned' },
            POWER_LOST: '#device.setupInterrupted',
          },
        },
        readyToDistribute: {
          meta: meta({
            screen: { id: 'ready-to-distribute', title: 'Device set up: turn it off and distribute it' },
            stage: 'defaultStage1',
            actor: 'admin',
            userless: true,
          }),
          on: { POWER_OFF: '#device.defaultStage2', POWER_LOST: '#device.defaultStage2' },
        },
      },
    },

    /** Default token, stage 2 (end user): Wi-Fi, sign in, work profile where applicable, permissions, terms. */
    defaultStage2: {
      initial: 'poweredOff',
      states: {
        poweredOff: {
          meta: meta({
            screen: { id: 'powered-off', title: 'Powered off' },
            stage: 'defaultStage2',
            actor: 'user',
            userless: true,
            poweredOff: true,
          }),
          on: { POWER_ON: 'connectWifi' },
        },
        connectWifi: {
          meta: meta({
            screen: { id: 'user-network', title: 'Connect to Wi-Fi' },
            stage: 'defaultStage2',
            actor: 'user',
            userless: true,
          }),
          on: { CONNECT_WIFI: 'signIn', POWER_OFF: 'poweredOff', POWER_LOST: 'poweredOff' },
        },
        signIn: {
          meta: meta({
            screen: { id: 'user-sign-in', title: 'Sign in with your work or school account' },
            stage: 'defaultStage2',
            actor: 'user',
            userless: true,
          }),
          on: {
            SIGN_IN: { target: 'checkingAccount', actions: 'rememberUser' },
            POWER_OFF: 'poweredOff',
            POWER_LOST: 'poweredOff',
          },
        },
        checkingAccount: {
          meta: meta({
            screen: { id: 'checking-account', title: 'Checking info…' },
            stage: 'defaultStage2',
            actor: 'nobody',
            userless: true,
            effect: 'checkAccount',
          }),
          on: {
            SIGN_IN_ACCEPTED: [{ guard: 'isWorkProfile', target: 'workProfile' }, { target: 'permissions' }],
            SIGN_IN_REJECTED: { target: 'signInFailed', actions: ['rememberError', 'forgetUser'] },
            POWER_LOST: { target: 'poweredOff', actions: 'forgetUser' },
          },
        },
        signInFailed: {
          meta: meta({
            screen: { id: 'sign-in-failed', title: "Couldn't sign you in" },
            stage: 'defaultStage2',
            actor: 'user',
            userless: true,
            error: true,
          }),
          on: { TRY_AGAIN: { target: 'signIn', actions: 'clearError' } },
        },
        workProfile: {
          meta: meta({
            screen: { id: 'work-profile', title: 'Set up your work profile' },
            stage: 'defaultStage2',
            actor: 'user',
            userless: false,
          }),
          on: { CREATE_WORK_PROFILE: 'permissions', POWER_LOST: 'interrupted' },
        },
        permissions: {
          meta: meta({
            screen: { id: 'permissions', title: 'Allow app permissions' },
            stage: 'defaultStage2',
            actor: 'user',
            userless: false,
          }),
          on: { GRANT_PERMISSIONS: 'terms', POWER_LOST: 'interrupted' },
        },
        terms: {
          meta: meta({
            screen: { id: 'terms', title: 'Accept terms of use' },
            stage: 'defaultStage2',
            actor: 'user',
            userless: false,
          }),
          on: { ACCEPT_TERMS: 'enrollmentInProgress', POWER_LOST: 'interrupted' },
        },
        enrollmentInProgress: {
          meta: meta({
            screen: { id: 'enrollment-in-progress', title: 'Enrollment in progress' },
            stage: 'defaultStage2',
            actor: 'nobody',
            userless: false,
            effect: 'recordEnrolled',
          }),
          on: {
            STAGE_RECORDED: { target: '#device.enrolled', actions: 'recordEnrolled' },
            POWER_LOST: 'interrupted',
          },
        },
        interrupted: {
          meta: meta({
            screen: { id: 'powered-off', title: 'Powered off' },
            stage: 'defaultStage2',
            actor: 'user',
            userless: false,
            poweredOff: true,
          }),
          on: { POWER_ON: 'enrollmentIncomplete' },
        },
        enrollmentIncomplete: {
          meta: meta({
            screen: { id: 'enrollment-incomplete', title: 'Finish enrolling your device' },
            stage: 'defaultStage2',
            actor: 'user',
            userless: false,
            error: true,
          }),
          on: { RESUME_ENROLLMENT: 'enrollmentInProgress', POWER_LOST: 'interrupted' },
        },
      },
    },

    /** "When enrollment is done, the device is ready for use at work or school." */
    enrolled: {
      initial: 'readyForWork',
      states: {
        readyForWork: {
          meta: meta({
            screen: { id: 'enrolled', title: "You're all set: ready for work" },
            stage: 'enrolled',
            actor: 'user',
            userless: false,
          }),
          on: { POWER_OFF: 'poweredOff', POWER_LOST: 'poweredOff' },
        },
        poweredOff: {
          meta: meta({
            screen: { id: 'powered-off', title: 'Powered off' },
            stage: 'enrolled',
            actor: 'user',
            userless: false,
            poweredOff: true,
          }),
          on: { POWER_ON: 'readyForWork' },
        },
      },
    },
  },
});

export type DeviceModel = typeof deviceModel;
