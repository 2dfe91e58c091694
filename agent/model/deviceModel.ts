import { assign, setup } from 'xstate';
import type { EnrollmentStage } from '../protocol/enrollment';
import type { ConfigurationSource, DeviceEvent } from './events';
import {
  EFFECT_WORK,
  type Actor,
  type Effect,
  type ModelStage,
  type Screen,
  type StateMetaInput,
} from './meta';

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
  /**
   * How the device got its token: scanned from the QR code, typed by hand, or from the zero-touch or
   * Knox Mobile Enrollment configuration it found on first boot.
   */
  tokenSource: 'qr' | 'manual' | ConfigurationSource | null;
  /** Which token enrolled this device, known once the enrollment service accepted it. */
  flow: Flow | null;
  mode: WorkMode | null;
  /** Why the last step failed, shown on the error screen. */
  errorReason: string | null;
  /** The account the user signed in with; null while the device is userless. */
  upn: string | null;
  /** The stage the enrollment service last confirmed for this device (what its ledger must say). */
  recordedStage: EnrollmentStage | null;
  /** The user accepted and created the work profile (work profile mode only). */
  workProfileCreated: boolean;
}

export const WELCOME_TAPS_FOR_QR_READER = 6;

/**
 * Each part of the flow says once who acts there, at which stage, and whether the device is still
 * userless; its states then name only their screen and what sets them apart (an error, an effect, off).
 */
interface FlowPart {
  stage: ModelStage;
  actor: Actor;
  userless: boolean;
}

/** Screens more than one part of the flow shows. */
const POWERED_OFF: Screen = { id: 'powered-off', title: 'Powered off' };
const CHECKING_ACCOUNT: Screen = { id: 'checking-account', title: 'Checking info…' };
const ENROLLMENT_IN_PROGRESS: Screen = { id: 'enrollment-in-progress', title: 'Enrollment in progress' };
const SIGN_IN_FAILED: Screen = { id: 'sign-in-failed', title: "Couldn't sign you in" };
const WORK_PROFILE: Screen = { id: 'work-profile', title: 'Set up your work profile' };
const ENROLLMENT_INCOMPLETE: Screen = { id: 'enrollment-incomplete', title: 'Finish enrolling your device' };

/** A screen the part's actor reads or uses. */
const shows = (part: FlowPart, screen: Screen): StateMetaInput => ({ ...part, screen });
/** An error screen: the device shows why the last step failed. */
const fails = (part: FlowPart, screen: Screen): StateMetaInput => ({ ...part, screen, error: true });
/** Nobody acts while the runtime does `effect`; the device shows `screen` until the outcome arrives. */
const works = (part: FlowPart, screen: Screen, effect: Effect): StateMetaInput => ({
  ...part,
  actor: 'nobody',
  screen,
  effect,
});
/** The device is switched off in this part of the flow. */
const off = (part: FlowPart): StateMetaInput => ({ ...part, screen: POWERED_OFF, poweredOff: true });

/** Out of the box and the setup wizard: the vendor (or the admin) runs it, nobody has signed in. */
const unprovisioned: FlowPart = { stage: 'unprovisioned', actor: 'vendor', userless: true };
/** Staging token, stage 2: the vendor's part ends with the device staged and switched off. */
const stagingStage2: FlowPart = { stage: 'stagingStage2', actor: 'vendor', userless: true };
/** Staging token, stage 3, until the user's sign-in is accepted. */
const stagingStage3: FlowPart = { stage: 'stagingStage3', actor: 'user', userless: true };
/** Staging token, stage 3, once the user's sign-in is accepted. */
const stagingStage3SignedIn: FlowPart = { ...stagingStage3, userless: false };
/** Default token, stage 1: the admin's part. */
const defaultStage1: FlowPart = { stage: 'defaultStage1', actor: 'admin', userless: true };
/** Default token, stage 2, until the user's sign-in is accepted. */
const defaultStage2: FlowPart = { stage: 'defaultStage2', actor: 'user', userless: true };
/** Default token, stage 2, once the user's sign-in is accepted. */
const defaultStage2SignedIn: FlowPart = { ...defaultStage2, userless: false };
const enrolledPart: FlowPart = { stage: 'enrolled', actor: 'user', userless: false };

const initialContext: DeviceModelContext = {
  welcomeTaps: 0,
  tokenSource: null,
  flow: null,
  mode: null,
  errorReason: null,
  upn: null,
  recordedStage: null,
  workProfileCreated: false,
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
    /** A work profile device whose user has not created the work profile yet. */
    isWorkProfilePending: ({ context }) =>
      context.mode === 'corporateOwnedWorkProfile' && !context.workProfileCreated,
  },
  actions: {
    countWelcomeTap: assign({ welcomeTaps: ({ context }) => context.welcomeTaps + 1 }),
    forgetWelcomeTaps: assign({ welcomeTaps: 0 }),
    rememberScannedToken: assign({ tokenSource: 'qr' }),
    rememberTypedToken: assign({ tokenSource: 'manual' }),
    rememberConfiguration: assign({
      tokenSource: ({ event, context }) =>
        event.type === 'CONFIGURATION_FOUND' ? event.source : context.tokenSource,
    }),
    rememberToken: assign(({ event }) =>
      event.type === 'TOKEN_ACCEPTED'
        ? {
            flow: event.tokenType === 'deviceStaging' ? ('staging' as const) : ('default' as const),
            mode: event.mode,
            errorReason: null,
            recordedStage: EFFECT_WORK.redeemToken.records,
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
    // The service confirmed the stage the state's effect recorded (actions say "confirm", effects "record").
    confirmStaged: assign({ recordedStage: EFFECT_WORK.recordStaged.records }),
    confirmAdminProvisioned: assign({ recordedStage: EFFECT_WORK.recordAdminProvisioned.records }),
    confirmEnrolled: assign({ recordedStage: EFFECT_WORK.recordEnrolled.records }),
    rememberWorkProfile: assign({ workProfileCreated: true }),
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
      meta: off(unprovisioned),
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
          meta: shows(unprovisioned, { id: 'welcome', title: 'Welcome to your device' }),
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
          meta: shows(unprovisioned, { id: 'language', title: 'Choose your language' }),
          on: { SELECT_LANGUAGE: 'network' },
        },
        network: {
          meta: shows(unprovisioned, { id: 'network', title: 'Connect to Wi-Fi' }),
          on: { CONNECT_WIFI: 'checkingConfiguration', SKIP_NETWORK: 'checkingConfiguration' },
        },
        /**
         * With a network, the setup wizard asks Google's zero-touch service (and a Samsung device Knox's
         * cloud) whether the device has a configuration. One found provisions the device from it: no QR
         * code, no typed token; the stages then go on as after a scan. A configuration Android cannot use
         * ends on "Can't set up device" (SETUP_FAILED configurationInvalid or otherDpc), a refused token
         * on tokenRejected. Sources: the staging overview's "Export token", Intune's zero-touch and KME
         * articles, AOSP ManagedProvisioning (harness/backend/README.md, "Zero-touch and Knox Mobile
         * Enrollment").
         */
        checkingConfiguration: {
          meta: works(
            unprovisioned,
            { id: 'checking-configuration', title: 'Checking for a device configuration…' },
            'checkConfiguration',
          ),
          on: {
            NO_CONFIGURATION: 'signIn',
            CONFIGURATION_FOUND: { target: 'preparingDevice', actions: 'rememberConfiguration' },
          },
        },
        /** "When you get to the sign-in screen, stop. Don't sign in." */
        signIn: {
          meta: shows(unprovisioned, { id: 'sign-in', title: 'Sign in' }),
          on: {
            OPEN_QR_READER: 'qrReader',
            OPEN_TOKEN_ENTRY: 'tokenEntry',
            SIGN_IN: { target: 'checkingAccount', actions: 'rememberUser' },
          },
        },
        /** Somebody signed in on a device that no token has staged: the service refuses. */
        checkingAccount: {
          meta: works(unprovisioned, CHECKING_ACCOUNT, 'checkAccount'),
          on: { SIGN_IN_REJECTED: { target: 'signInNotAllowed', actions: ['rememberError', 'forgetUser'] } },
        },
        signInNotAllowed: {
          meta: fails(unprovisioned, { id: 'sign-in-not-allowed', title: "Can't sign in on this device" }),
          on: { TRY_AGAIN: { target: 'signIn', actions: 'clearError' } },
        },
        qrReader: {
          meta: shows(unprovisioned, { id: 'qr-reader', title: 'Scan QR code' }),
          on: {
            QR_SCANNED: { target: 'preparingDevice', actions: 'rememberScannedToken' },
            QR_INVALID: { target: 'invalidQrCode', actions: 'rememberError' },
            CANCEL: 'signIn',
          },
        },
        invalidQrCode: {
          meta: fails(unprovisioned, { id: 'invalid-qr-code', title: "This QR code isn't valid" }),
          on: { TRY_AGAIN: { target: 'qrReader', actions: 'clearError' } },
        },
        tokenEntry: {
          meta: shows(unprovisioned, { id: 'token-entry', title: 'Enter enrollment token' }),
          on: {
            TOKEN_SUBMITTED: { target: 'preparingDevice', actions: 'rememberTypedToken' },
            CANCEL: 'signIn',
          },
        },
        /** Join the network, download the device policy controller, verify its checksum, install it. */
        preparingDevice: {
          meta: works(
            unprovisioned,
            { id: 'preparing-device', title: 'Getting your device ready for work…' },
            'prepareDevice',
          ),
          on: {
            DEVICE_READY: 'checkingToken',
            NETWORK_UNAVAILABLE: { target: 'noNetwork', actions: 'rememberError' },
            SETUP_FAILED: { target: '#device.cantSetUpDevice', actions: 'rememberError' },
          },
        },
        /** Android 10+ needs a network for fully managed enrollment; the Wi-Fi error needs no reset. */
        noNetwork: {
          meta: fails(unprovisioned, { id: 'no-network', title: 'Connect to a network to continue' }),
          on: { TRY_AGAIN: { target: 'network', actions: 'clearError' } },
        },
        checkingToken: {
          meta: works(
            unprovisioned,
            { id: 'checking-token', title: 'Checking enrollment token…' },
            'redeemToken',
          ),
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
          meta: fails(unprovisioned, { id: 'token-rejected', title: "This token can't be used" }),
          on: { TRY_AGAIN: { target: 'signIn', actions: 'clearError' } },
        },
        /** Typing the token is not supported for corporate-owned work profile on Android 11+. */
        manualEntryNotSupported: {
          meta: fails(unprovisioned, {
            id: 'manual-entry-not-supported',
            title: 'Scan the QR code to enroll this device',
          }),
          on: { TRY_AGAIN: { target: 'qrReader', actions: 'clearError' } },
        },
      },
    },

    /** Intune needs Android 8 or later; an older device can only be reset. */
    unsupportedAndroid: {
      meta: fails(unprovisioned, { id: 'unsupported-android', title: "This device can't be enrolled" }),
    },

    /** "Can't set up device": every failure but the Wi-Fi one needs a factory reset. */
    cantSetUpDevice: {
      meta: fails(unprovisioned, { id: 'cant-set-up-device', title: "Can't set up device" }),
    },

    /** Staging token, stage 2, after the token is accepted: the device enrolls userless, then is switched off. */
    stagingStage2: {
      initial: 'enrollmentInProgress',
      states: {
        enrollmentInProgress: {
          meta: works(stagingStage2, ENROLLMENT_IN_PROGRESS, 'recordStaged'),
          on: {
            STAGE_RECORDED: { target: 'readyToPowerOff', actions: 'confirmStaged' },
            POWER_LOST: '#device.setupInterrupted',
          },
        },
        /** "Turn off the device and distribute it to the end user." */
        readyToPowerOff: {
          meta: shows(stagingStage2, { id: 'staged', title: 'Device staged: turn it off and hand it over' }),
          on: { POWER_OFF: '#device.stagingStage3', POWER_LOST: '#device.stagingStage3' },
        },
      },
    },

    /** Staging token, stage 3: the end user powers on, signs in to the Microsoft Intune app, and enrollment finishes. */
    stagingStage3: {
      initial: 'poweredOff',
      states: {
        poweredOff: {
          meta: off(stagingStage3),
          on: { POWER_ON: 'home' },
        },
        /** "Open the Microsoft Intune app, and then sign in with your work or school account." */
        home: {
          meta: shows(stagingStage3, { id: 'home', title: 'Home screen' }),
          on: { OPEN_INTUNE_APP: 'intuneSignIn', POWER_OFF: 'poweredOff', POWER_LOST: 'poweredOff' },
        },
        intuneSignIn: {
          meta: shows(stagingStage3, {
            id: 'intune-sign-in',
            title: 'Microsoft Intune: sign in with your work or school account',
          }),
          on: {
            SIGN_IN: { target: 'checkingAccount', actions: 'rememberUser' },
            POWER_OFF: 'poweredOff',
            POWER_LOST: 'poweredOff',
          },
        },
        checkingAccount: {
          meta: works(stagingStage3, CHECKING_ACCOUNT, 'checkAccount'),
          on: {
            // A work profile is created before enrollment completes, as in the default token's flow.
            SIGN_IN_ACCEPTED: [
              { guard: 'isWorkProfile', target: 'workProfile' },
              { target: 'enrollmentInProgress' },
            ],
            SIGN_IN_REJECTED: { target: 'signInFailed', actions: ['rememberError', 'forgetUser'] },
            POWER_LOST: { target: 'poweredOff', actions: 'forgetUser' },
          },
        },
        signInFailed: {
          meta: fails(stagingStage3, SIGN_IN_FAILED),
          on: { TRY_AGAIN: { target: 'intuneSignIn', actions: 'clearError' } },
        },
        /**
         * Screens that need no input from the user are replaced by this one. Enrollment is complete, and
         * recorded `enrolled`, only once the work profile exists, as in the default flow
         * (defaultStage2.enrollmentInProgress): a work profile device comes here from workProfile.
         */
        enrollmentInProgress: {
          meta: works(stagingStage3SignedIn, ENROLLMENT_IN_PROGRESS, 'recordEnrolled'),
          on: {
            STAGE_RECORDED: { target: '#device.enrolled', actions: 'confirmEnrolled' },
            POWER_LOST: 'interrupted',
          },
        },
        /** Enrollment is complete only once the work profile exists; the record stays staged until then. */
        workProfile: {
          meta: shows(stagingStage3SignedIn, WORK_PROFILE),
          on: {
            CREATE_WORK_PROFILE: { target: 'enrollmentInProgress', actions: 'rememberWorkProfile' },
            POWER_LOST: 'interrupted',
          },
        },
        /** Power lost mid-enrollment: the device may look enrolled without being protected. */
        interrupted: {
          meta: off(stagingStage3SignedIn),
          on: {
            // Power lost on the work-profile screen: the device comes back to it.
            POWER_ON: [
              { guard: 'isWorkProfilePending', target: 'workProfile' },
              { target: 'enrollmentIncomplete' },
            ],
          },
        },
        enrollmentIncomplete: {
          meta: fails(stagingStage3SignedIn, ENROLLMENT_INCOMPLETE),
          on: { RESUME_ENROLLMENT: 'enrollmentInProgress', POWER_LOST: 'interrupted' },
        },
      },
    },

    /** Power was lost while the userless enrollment of stage 2 ran: Android cannot resume provisioning. */
    setupInterrupted: {
      initial: 'poweredOff',
      states: {
        poweredOff: {
          meta: off(stagingStage2),
          on: { POWER_ON: 'resetRequired' },
        },
        resetRequired: {
          meta: fails(stagingStage2, {
            id: 'setup-interrupted',
            title: 'Setup was interrupted: reset this device',
          }),
        },
      },
    },

    /** Default token, stage 1 (admin), after the token is accepted: follow the prompts, then distribute. */
    defaultStage1: {
      initial: 'enrollmentInProgress',
      states: {
        enrollmentInProgress: {
          meta: works(defaultStage1, ENROLLMENT_IN_PROGRESS, 'recordAdminProvisioned'),
          on: {
            STAGE_RECORDED: { target: 'readyToDistribute', actions: 'confirmAdminProvisioned' },
            POWER_LOST: '#device.setupInterrupted',
          },
        },
        readyToDistribute: {
          meta: shows(defaultStage1, {
            id: 'ready-to-distribute',
            title: 'Device set up: turn it off and distribute it',
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
          meta: off(defaultStage2),
          on: { POWER_ON: 'connectWifi' },
        },
        connectWifi: {
          meta: shows(defaultStage2, { id: 'user-network', title: 'Connect to Wi-Fi' }),
          on: { CONNECT_WIFI: 'signIn', POWER_OFF: 'poweredOff', POWER_LOST: 'poweredOff' },
        },
        signIn: {
          meta: shows(defaultStage2, {
            id: 'user-sign-in',
            title: 'Sign in with your work or school account',
          }),
          on: {
            SIGN_IN: { target: 'checkingAccount', actions: 'rememberUser' },
            POWER_OFF: 'poweredOff',
            POWER_LOST: 'poweredOff',
          },
        },
        checkingAccount: {
          meta: works(defaultStage2, CHECKING_ACCOUNT, 'checkAccount'),
          on: {
            SIGN_IN_ACCEPTED: [{ guard: 'isWorkProfile', target: 'workProfile' }, { target: 'permissions' }],
            SIGN_IN_REJECTED: { target: 'signInFailed', actions: ['rememberError', 'forgetUser'] },
            POWER_LOST: { target: 'poweredOff', actions: 'forgetUser' },
          },
        },
        signInFailed: {
          meta: fails(defaultStage2, SIGN_IN_FAILED),
          on: { TRY_AGAIN: { target: 'signIn', actions: 'clearError' } },
        },
        workProfile: {
          meta: shows(defaultStage2SignedIn, WORK_PROFILE),
          on: {
            CREATE_WORK_PROFILE: { target: 'permissions', actions: 'rememberWorkProfile' },
            POWER_LOST: 'interrupted',
          },
        },
        permissions: {
          meta: shows(defaultStage2SignedIn, { id: 'permissions', title: 'Allow app permissions' }),
          on: { GRANT_PERMISSIONS: 'terms', POWER_LOST: 'interrupted' },
        },
        terms: {
          meta: shows(defaultStage2SignedIn, { id: 'terms', title: 'Accept terms of use' }),
          on: { ACCEPT_TERMS: 'enrollmentInProgress', POWER_LOST: 'interrupted' },
        },
        /** After the work profile, permissions and terms: see stagingStage3.enrollmentInProgress for why staging differs. */
        enrollmentInProgress: {
          meta: works(defaultStage2SignedIn, ENROLLMENT_IN_PROGRESS, 'recordEnrolled'),
          on: {
            STAGE_RECORDED: { target: '#device.enrolled', actions: 'confirmEnrolled' },
            POWER_LOST: 'interrupted',
          },
        },
        interrupted: {
          meta: off(defaultStage2SignedIn),
          on: {
            // Power lost on the work-profile screen: the device comes back to it.
            POWER_ON: [
              { guard: 'isWorkProfilePending', target: 'workProfile' },
              { target: 'enrollmentIncomplete' },
            ],
          },
        },
        enrollmentIncomplete: {
          meta: fails(defaultStage2SignedIn, ENROLLMENT_INCOMPLETE),
          on: { RESUME_ENROLLMENT: 'enrollmentInProgress', POWER_LOST: 'interrupted' },
        },
      },
    },

    /** "When enrollment is done, the device is ready for use at work or school." */
    enrolled: {
      initial: 'readyForWork',
      states: {
        readyForWork: {
          meta: shows(enrolledPart, { id: 'enrolled', title: "You're all set: ready for work" }),
          on: { POWER_OFF: 'poweredOff', POWER_LOST: 'poweredOff' },
        },
        poweredOff: {
          meta: off(enrolledPart),
          on: { POWER_ON: 'readyForWork' },
        },
      },
    },
  },
});

export type DeviceModel = typeof deviceModel;
