import { z } from 'zod';
import { platformSchema } from '../backend/targeting/platforms';
import { effectSchema } from '../../agent/model/meta';
import { COLLECTIONS } from '../backend/resources/catalogue';
import {
  deviceRefSchema,
  displayNameSchema,
  durationSchema,
  listOf,
  patternSchema,
  presentKeys,
  strictMap,
  unknownKeyMessage,
  upnFieldSchema,
} from './schemaParts';

/**
 * The scenario vocabulary: camelCase verb+object commands in the manner of Maestro flows. Each command
 * has a short form, read at a glance, and a map form with every option:
 *
 *   - powerOff                              (bare: a command that needs nothing)
 *   - signIn: john@contoso.com              (scalar: the one thing the command is about)
 *   - signIn: { upn: john@contoso.com, device: XX1234 }   (map: every option)
 *
 * Commands are grouped by the role the staging document gives each step (admin, vendor, user) plus the
 * environment (what happens to the device or the backend). Device commands act on every device of the
 * scenario unless their map form names one with `device`.
 */

type AnySchema = z.ZodType;

/** A command with a map form only (its bare form, when the map needs nothing, is its short form). */
function command<M extends AnySchema>(name: string, description: string, map: M): M;
/** A command with a scalar short form that expands to the map form. */
function command<M extends AnySchema, S extends AnySchema>(
  name: string,
  description: string,
  map: M,
  scalar: S,
  toMap: (value: z.output<S>) => z.input<M>,
): z.ZodUnion<[z.ZodPipe<z.ZodPipe<S, z.ZodTransform<z.input<M>, z.output<S>>>, M>, M]>;
function command(
  name: string,
  description: string,
  map: AnySchema,
  scalar?: AnySchema,
  toMap?: (value: unknown) => unknown,
): AnySchema {
  // The id names the command's entry in the JSON Schema's definitions (shared by the roles that have it).
  if (!scalar || !toMap) return map.meta({ id: name, description });
  return z.union([scalar.transform((value) => toMap(value)).pipe(map), map]).meta({ id: name, description });
}

const device = { device: deviceRefSchema.optional() };

/** A command that takes nothing but, in its map form, the device it acts on. */
const deviceOnly = (name: string, description: string) =>
  command(name, description, strictMap({ ...device }, `field of ${name}`));

const profileRef = displayNameSchema.describe(
  'The enrollment profile, by name; the profile created last when left out.',
);
const tokenChoice = z
  .enum(['current', 'previous'], {
    error: 'expected current or previous (the token a replaceToken or createToken replaced)',
  })
  .default('current')
  .describe(
    'Which token of the profile: current, or previous (the one the last createToken/replaceToken replaced).',
  );

// --- Admin center ---------------------------------------------------------------------------------

/** Graph's enrollmentMode values, in scenario words; staging tokens exist for the first two only. */
export const PROFILE_MODES = {
  fullyManaged: 'corporateOwnedFullyManaged',
  workProfile: 'corporateOwnedWorkProfile',
  dedicated: 'corporateOwnedDedicatedDevice',
  aospUserless: 'corporateOwnedAOSPUserlessDevice',
  aospUserAssociated: 'corporateOwnedAOSPUserAssociatedDevice',
} as const;
const profileModeNames = Object.keys(PROFILE_MODES) as [
  keyof typeof PROFILE_MODES,
  ...Array<keyof typeof PROFILE_MODES>,
];
const profileMode = z.enum(profileModeNames, {
  error: `expected ${listOf(profileModeNames)}`,
});

/**
 * The admin center refuses the request: the Graph error code it answers (BadRequest, Conflict,
 * ResourceNotFound, ...), or { code, status, message } with the HTTP status and a regular expression the
 * message matches. The step then fails if the request succeeds, or is refused otherwise.
 */
const graphErrorCode = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]*$/, { error: 'expected a Graph error code such as BadRequest' });
export const refusalSchema = z
  .union([
    graphErrorCode.transform((code) => ({ code, status: undefined, message: undefined })),
    strictMap(
      {
        code: graphErrorCode,
        status: z.number().int().min(400).max(599).optional().describe('The HTTP status, e.g. 400.'),
        message: patternSchema.optional().describe('A regular expression the error message matches.'),
      },
      'field of refused',
    ),
  ])
  .describe(
    'Expect the admin center to refuse the request: its Graph error code (BadRequest), or { code, status, message }.',
  );
export type Refusal = z.output<typeof refusalSchema>;
const refused = { refused: refusalSchema.optional() };

const deviceNameTemplate = z
  .string()
  .max(200)
  .describe(
    "Graph's deviceNameTemplate, e.g. {{SERIAL}}-{{rand:3}} (tokens {{SERIAL}}, {{SERIALLAST4DIGITS}}, {{ENROLLMENTDATETIME}}, {{DEVICETYPE}}, {{USERNAME}}, {{UPNPREFIX}}, {{rand:x}}; at most 63 characters, checked by the admin center).",
  );
const tokenType = z.enum(['staging', 'default'], { error: 'expected staging or default' });

const profileWifi = strictMap(
  {
    ssid: z.string().min(1).max(32).describe('The network name.'),
    password: z.string().min(1).max(63).optional(),
    security: z
      .enum(['none', 'wpa', 'wep'], { error: 'expected none, wpa or wep' })
      .optional()
      .describe('wpa when a password is given, none otherwise.'),
  },
  'field of the profile Wi-Fi',
).superRefine((wifi, ctx) => {
  const security = wifi.security ?? (wifi.password === undefined ? 'none' : 'wpa');
  if (security === 'none' && wifi.password !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['password'],
      message: 'an open network (security none) takes no password',
    });
  if (security !== 'none' && wifi.password === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['password'],
      message: `missing; a ${security} network needs a password`,
    });
});

const createProfile = command(
  'createProfile',
  'Create an Android Enterprise enrollment profile and its token (stage 1). Short form: the profile name (fully managed, staging token).',
  strictMap(
    {
      name: displayNameSchema.describe('The profile name (enrollmentProfileName in filter and group rules).'),
      mode: profileMode
        .default('fullyManaged')
        .describe(
          'fullyManaged (corporate-owned fully managed), workProfile (corporate-owned work profile), dedicated, aospUserless or aospUserAssociated.',
        ),
      token: tokenType.default('staging').describe('staging (device staging token) or default.'),
      validity: durationSchema
        .optional()
        .describe(
          'How long the token is valid (staging tokens: default 90d, at most 65y; default tokens never expire).',
        ),
      wifi: profileWifi
        .optional()
        .describe('A Wi-Fi network the QR code carries, so a device joins it without anyone typing.'),
      deviceNameTemplate: deviceNameTemplate.optional(),
      ...refused,
    },
    'field of createProfile',
  ),
  displayNameSchema,
  (name) => ({ name }),
);

const tokenLifecycle = (name: string, description: string) =>
  command(
    name,
    description,
    strictMap(
      {
        profile: profileRef.optional(),
        validity: durationSchema.optional().describe('How long the new token is valid.'),
        ...refused,
      },
      `field of ${name}`,
    ),
    displayNameSchema,
    (profile) => ({ profile }),
  );

const createToken = tokenLifecycle(
  'createToken',
  'Create a new token for a profile (Graph createToken). Short form: the profile name.',
);
const replaceToken = tokenLifecycle(
  'replaceToken',
  'Replace the token of a profile: a new token, the old one is refused as replaced from now on. Short form: the profile name.',
);

const revokeToken = command(
  'revokeToken',
  'Revoke the token of a profile: it expires at once. Short form: the profile name.',
  strictMap({ profile: profileRef.optional(), ...refused }, 'field of revokeToken'),
  displayNameSchema,
  (profile) => ({ profile }),
);

const editProfile = command(
  'editProfile',
  "Edit a profile's name, description or deviceNameTemplate (Graph PATCH); its mode and token type cannot change. Map form only.",
  strictMap(
    {
      profile: profileRef.optional(),
      name: displayNameSchema.optional().describe('The new name; later steps refer to the profile by it.'),
      description: z.string().max(1024).optional(),
      deviceNameTemplate: deviceNameTemplate.optional(),
      ...refused,
    },
    'field of editProfile',
  ).superRefine((value, ctx) => {
    if (value.name === undefined && value.description === undefined && value.deviceNameTemplate === undefined)
      ctx.addIssue({
        code: 'custom',
        message: 'expected something to change: name, description or deviceNameTemplate',
      });
  }),
);

const deleteProfile = command(
  'deleteProfile',
  'Delete a profile (Graph DELETE): its token stops working; devices already enrolled keep their records. Short form: the profile name.',
  strictMap({ profile: profileRef.optional(), ...refused }, 'field of deleteProfile'),
  displayNameSchema,
  (profile) => ({ profile }),
);

const exportFormat = z.enum(['zeroTouch', 'knoxMobileEnrollment'], {
  error: 'expected zeroTouch or knoxMobileEnrollment',
});
const exportName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, {
  error: 'expected a name of letters, digits, - and _ (at most 64)',
});

const registerConfiguration = command(
  'registerConfiguration',
  "Register a device with a zero-touch or Knox Mobile Enrollment configuration holding JSON exported earlier (exportToken ... as: NAME), as an admin does in Google's or Samsung's portal; the device provisions from it on first boot with a network. Short form: the export's name.",
  strictMap(
    {
      ...device,
      export: exportName.optional().describe('The name an earlier exportToken kept its JSON under.'),
      json: z
        .string()
        .max(8192)
        .optional()
        .describe('This text instead of an export (a configuration pasted wrong, say); needs format.'),
      format: exportFormat
        .optional()
        .describe("zeroTouch or knoxMobileEnrollment; with export, the export's own format by default."),
      dpc: z
        .string()
        .regex(/^[A-Za-z][\w]*(\.[A-Za-z][\w]*)+$/, { error: 'expected an Android package name' })
        .optional()
        .describe("The DPC the configuration installs; Android Device Policy (Intune's) by default."),
      cutShort: z
        .boolean()
        .optional()
        .describe('Register only the first half of the JSON, as a paste that lost its end (malformed JSON).'),
    },
    'field of registerConfiguration',
  ).superRefine((value, ctx) => {
    if ((value.export === undefined) === (value.json === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [value.export === undefined ? 'export' : 'json'],
        message: 'expected either export (an exported JSON, by name) or json (text), one of the two',
      });
    if (value.json !== undefined && value.format === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['format'],
        message: 'missing; json needs format (zeroTouch or knoxMobileEnrollment)',
      });
  }),
  exportName,
  (name) => ({ export: name }),
);
const unregisterConfiguration = deviceOnly(
  'unregisterConfiguration',
  "Remove the device's zero-touch or Knox Mobile Enrollment configuration.",
);

const exportExpectation = strictMap(
  {
    token: z
      .enum(['current', 'previous'], { error: 'expected current or previous' })
      .optional()
      .describe('The JSON carries this token of the profile.'),
    hasKeys: z.array(z.string().min(1)).min(1).optional().describe('Top-level keys the JSON has.'),
    lacksKeys: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Top-level keys the JSON does not have.'),
    refused: z
      .boolean()
      .optional()
      .describe('The admin center refuses the export (the token is revoked or expired).'),
  },
  'field of the export expectation',
).superRefine((value, ctx) => {
  if (value.refused === true && presentKeys(value).length > 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['refused'],
      message: 'a refused export has no JSON to check; use refused alone',
    });
  }
});

const exportToken = command(
  'exportToken',
  'Export the JSON of a token for Google Zero Touch or Knox Mobile Enrollment, and check it. Short form: the format (the JSON must carry the current token).',
  strictMap(
    {
      format: exportFormat.describe('zeroTouch (DPC extras) or knoxMobileEnrollment (KME custom JSON).'),
      profile: profileRef.optional(),
      expect: exportExpectation.default({ token: 'current' }).describe('What the exported JSON must hold.'),
      as: exportName
        .optional()
        .describe('Keep the exported JSON under this name, for a later registerConfiguration to use.'),
    },
    'field of exportToken',
  ).superRefine((value, ctx) => {
    if (value.as !== undefined && value.expect.refused === true)
      ctx.addIssue({ code: 'custom', path: ['as'], message: 'a refused export has no JSON to keep' });
  }),
  exportFormat,
  (format) => ({ format }),
);

const ruleText = z.string().min(1, { error: 'expected a rule' }).max(4096);

const createAssignmentFilter = command(
  'createAssignmentFilter',
  'Create an assignment filter (the only targeting a staged device gets in stage 2). Short form: the rule, which is also its name.',
  strictMap(
    {
      name: displayNameSchema,
      rule: ruleText.describe(
        'Filter rule in Intune\'s filter language, e.g. (device.enrollmentProfileName -eq "Frontline staging").',
      ),
      platform: platformSchema
        .default('androidForWork')
        .describe(
          "The filter's platform (Graph's devicePlatformType); androidForWork is the admin center's Android Enterprise, which every device here enrolls as.",
        ),
    },
    'field of createAssignmentFilter',
  ),
  ruleText,
  (rule) => ({ name: rule.slice(0, 200), rule }),
);

const createDynamicDeviceGroup = command(
  'createDynamicDeviceGroup',
  'Create a dynamic device group (applies after stage 3 only). Short form: the membership rule, which is also its name.',
  strictMap(
    {
      name: displayNameSchema,
      membershipRule: ruleText.describe(
        'Membership rule in Entra\'s dynamic-group language, e.g. (device.enrollmentProfileName -eq "Frontline staging").',
      ),
    },
    'field of createDynamicDeviceGroup',
  ),
  ruleText,
  (membershipRule) => ({ name: membershipRule.slice(0, 200), membershipRule }),
);

const createUserGroup = command(
  'createUserGroup',
  'Create a user security group (applies after the user signs in). Short form: the group name, no members.',
  strictMap(
    {
      name: displayNameSchema,
      members: z.array(upnFieldSchema).max(1000).default([]).describe('Members, by UPN.'),
    },
    'field of createUserGroup',
  ),
  displayNameSchema,
  (name) => ({ name }),
);

// Map form only: an assignment needs both what is assigned and where it goes. Each step adds one
// assignment (Graph's target) to the resource, created on first use as the Graph type `type` names.
const POLICY_TYPES = [
  ...COLLECTIONS.deviceConfiguration.subtypes,
  ...COLLECTIONS.deviceCompliancePolicy.subtypes,
] as [string, ...string[]];
const APP_TYPES = COLLECTIONS.mobileApp.subtypes as [string, ...string[]];
/** The Graph type an assignPolicy or assignApp step creates when it names none. */
export const DEFAULT_ASSIGNED_TYPE = { assignPolicy: POLICY_TYPES[0], assignApp: APP_TYPES[0] } as const;
/** Where a step's assignment goes: at most one of these, or a filter alone (all devices through it). */
export const ASSIGNMENT_AUDIENCES = ['group', 'allDevices', 'allUsers', 'excludeGroup'] as const;

const targetFields = {
  filter: displayNameSchema
    .optional()
    .describe('An assignment filter, by name; alone, the assignment goes to all devices through it.'),
  filterMode: z
    .enum(['include', 'exclude'], { error: 'expected include or exclude' })
    .default('include')
    .describe('Whether the filter includes or excludes the devices it matches.'),
  group: displayNameSchema.optional().describe('A dynamic device group or user group, by name.'),
  allDevices: z.literal(true, { error: 'expected true' }).optional().describe('Assign to all devices.'),
  allUsers: z
    .literal(true, { error: 'expected true' })
    .optional()
    .describe('Assign to all licensed users (reaches a device once its user signed in).'),
  excludeGroup: displayNameSchema
    .optional()
    .describe('Exclude a group, by name (no filter): it wins over inclusions of the same group type.'),
};

type TargetFields = z.output<z.ZodObject<typeof targetFields>>;

/** One assignment per step, and an exclusion without a filter. */
function checkTargetFields(value: TargetFields, ctx: z.RefinementCtx): void {
  const audiences = ASSIGNMENT_AUDIENCES.filter((key) => value[key] !== undefined);
  if (audiences.length > 1) {
    ctx.addIssue({
      code: 'custom',
      path: [audiences[1]!],
      message: `one assignment per step: ${audiences.join(' and ')} given; use one step for each`,
    });
  } else if (audiences.length === 0 && value.filter === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['filter'],
      message:
        'expected where to assign: filter (all devices through it), group, allDevices, allUsers or excludeGroup',
    });
  } else if (audiences[0] === 'excludeGroup' && value.filter !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['filter'],
      message:
        'an excluded group cannot have an assignment filter (Intune offers filters on included groups only)',
    });
  }
}

const WHERE =
  'Where to: a filter alone (all devices through it; reaches staged devices), group, allDevices, allUsers or excludeGroup, the first three with an optional filter.';

const assignPolicy = command(
  'assignPolicy',
  `Assign a configuration profile or compliance policy (created if new). ${WHERE}`,
  strictMap(
    {
      name: displayNameSchema.describe('The profile or policy name.'),
      type: z
        .enum(POLICY_TYPES, { error: `expected one of: ${listOf(POLICY_TYPES)}` })
        .optional()
        .describe(
          `Its Graph type (@odata.type without #microsoft.graph.): a device configuration profile or androidDeviceOwnerCompliancePolicy; ${POLICY_TYPES[0]} when the step creates it, the type it was created as otherwise.`,
        ),
      ...targetFields,
    },
    'field of assignPolicy',
  ).superRefine(checkTargetFields),
);

const assignApp = command(
  'assignApp',
  `Assign a managed Google Play app (created if new) with an intent. ${WHERE}`,
  strictMap(
    {
      name: displayNameSchema.describe('The app name.'),
      type: z
        .enum(APP_TYPES, { error: `expected one of: ${listOf(APP_TYPES)}` })
        .optional()
        .describe(
          `Its Graph type (@odata.type without #microsoft.graph.); ${APP_TYPES[0]} when the step creates it, the type it was created as otherwise.`,
        ),
      packageId: z
        .string()
        .regex(/^[A-Za-z]\w*(\.[A-Za-z]\w*)+$/, 'an Android package name such as com.microsoft.teams')
        .optional()
        .describe('The app package (managed Google Play), when the app is created.'),
      intent: z
        .enum(['required', 'available', 'uninstall'], { error: 'expected required, available or uninstall' })
        .default('required')
        .describe('What this assignment asks: install it (required), offer it (available) or remove it.'),
      ...targetFields,
    },
    'field of assignApp',
  ).superRefine(checkTargetFields),
);

// --- At the device --------------------------------------------------------------------------------

const unboxAndPowerOn = deviceOnly('unboxAndPowerOn', 'Unbox, assemble and power on the device.');
const powerOn = deviceOnly('powerOn', 'Power the device on.');
const powerOff = deviceOnly('powerOff', 'Turn the device off (and hand it over).');
const connectWifi = deviceOnly('connectWifi', 'Join the Wi-Fi network on the screen that offers it.');
const tryAgain = deviceOnly('tryAgain', 'Tap Try again on an error screen.');

const completeSetupWizard = command(
  'completeSetupWizard',
  'Walk the setup wizard (welcome, language, network) and stop at the sign-in screen; do not sign in.',
  strictMap(
    {
      ...device,
      wifi: z
        .boolean()
        .default(true)
        .describe('Join Wi-Fi when a network is in range (skipped when none is, or when false).'),
    },
    'field of completeSetupWizard',
  ),
);

const scanQrCode = command(
  'scanQrCode',
  "Scan the QR code of a profile's token (from the sign-in screen, or by tapping the welcome screen six times). Short form: the profile name.",
  strictMap(
    {
      ...device,
      profile: profileRef.optional(),
      token: tokenChoice,
      via: z
        .enum(['signInScreen', 'welcomeTaps'], { error: 'expected signInScreen or welcomeTaps' })
        .optional()
        .describe('How the QR reader is opened; by default from the screen the device is on.'),
      checksum: z
        .string()
        .min(1)
        .max(128)
        .optional()
        .describe('Put this DPC signature checksum in the code instead of the right one.'),
      downloadLocation: z
        .url({ error: 'expected a URL' })
        .optional()
        .describe('Put this DPC download location in the code instead of the right one.'),
      useMobileData: z.boolean().optional().describe('Add PROVISIONING_USE_MOBILE_DATA to the code.'),
      text: z
        .string()
        .min(1)
        .max(2048)
        .optional()
        .describe('Scan a code holding this text instead of an enrollment code.'),
    },
    'field of scanQrCode',
  ).superRefine((value, ctx) => {
    if (value.text !== undefined) {
      for (const key of ['checksum', 'downloadLocation', 'useMobileData'] as const) {
        if (value[key] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `text replaces the whole code; ${key} cannot be combined with it`,
          });
      }
    }
  }),
  displayNameSchema,
  (profile) => ({ profile }),
);

const typingStyle = z
  .enum(['exact', 'lowerCase', 'withSpaces', 'lowerCaseWithSpaces'], {
    error: 'expected exact, lowerCase, withSpaces or lowerCaseWithSpaces',
  })
  .describe(
    'How a person types the token: exact, lowerCase, withSpaces (groups of four) or lowerCaseWithSpaces.',
  );

const enterToken = command(
  'enterToken',
  "Type a profile's token string on the sign-in screen's token entry. Short form: how it is typed (exact, lowerCase, withSpaces, lowerCaseWithSpaces).",
  strictMap(
    {
      ...device,
      profile: profileRef.optional(),
      token: tokenChoice,
      as: typingStyle.default('exact'),
      text: z
        .string()
        .min(1)
        .max(256)
        .optional()
        .describe('Type this text instead of a token of the profile.'),
    },
    'field of enterToken',
  ),
  typingStyle,
  (as) => ({ as }),
);

const openIntuneApp = deviceOnly(
  'openIntuneApp',
  'Open the Microsoft Intune app (checks that the device shows it).',
);

const signIn = command(
  'signIn',
  'Sign in with a work or school account. Short form: the UPN.',
  strictMap(
    { ...device, upn: upnFieldSchema.describe('The account, e.g. john@contoso.com.') },
    'field of signIn',
  ),
  upnFieldSchema,
  (upn) => ({ upn }),
);

const createWorkProfile = deviceOnly('createWorkProfile', 'Accept and create the work profile.');
const grantPermissions = deviceOnly('grantPermissions', 'Grant the app permissions asked for.');
const acceptTerms = deviceOnly('acceptTerms', 'Accept the terms of use.');
const resumeEnrollment = deviceOnly('resumeEnrollment', 'Continue an interrupted enrollment.');

// --- Environment ----------------------------------------------------------------------------------

const networkPart = z
  .enum(['all', 'wifi', 'cellular'], { error: 'expected all, wifi or cellular' })
  .describe('all, wifi (the Wi-Fi network goes out of range) or cellular (mobile data).');

const network = (name: string, description: string) =>
  command(
    name,
    description,
    strictMap({ ...device, network: networkPart.default('all') }, `field of ${name}`),
    networkPart,
    (part) => ({ network: part }),
  );

const dropNetwork = network(
  'dropNetwork',
  'The network goes away: all, wifi or cellular. Short form: which.',
);
const restoreNetwork = network(
  'restoreNetwork',
  'The network comes back (or into range): all, wifi or cellular. Short form: which.',
);

const stallWork = effectSchema.describe(`Only this work stalls: ${listOf(effectSchema.options)}.`);
const stallNetwork = command(
  'stallNetwork',
  "The device's requests hang, so it stays on its progress screen until resumeNetwork. Short form: which work stalls (all when bare).",
  strictMap({ ...device, work: stallWork.optional() }, 'field of stallNetwork'),
  stallWork,
  (work) => ({ work }),
);
const resumeNetwork = deviceOnly('resumeNetwork', 'Stalled requests go through again.');

const advanceClock = command(
  'advanceClock',
  "Move the backend's clock forward. Short form: the duration (90d, 12h).",
  strictMap({ by: durationSchema }, 'field of advanceClock'),
  durationSchema,
  (by) => ({ by }),
);

const isoDateTime = z.iso.datetime({
  offset: true,
  error: 'expected a date and time such as 2024-06-22T04:20:00Z',
});
const setClock = command(
  'setClock',
  "Set the backend's clock (the date and time device names show). Short form: the date and time, e.g. 2024-06-22T04:20:00Z.",
  strictMap({ to: isoDateTime }, 'field of setClock'),
  isoDateTime,
  (to) => ({ to }),
);

const restartBackend = command(
  'restartBackend',
  'Restart the backend; what it recorded survives, device connections drop.',
  strictMap({}, 'field of restartBackend'),
);
const cutPower = deviceOnly('cutPower', 'Cut the power (pull the battery) wherever the device is.');
const factoryReset = deviceOnly('factoryReset', 'Reset the device to factory settings (from recovery).');

// --- Roles ----------------------------------------------------------------------------------------

const deviceSetup = {
  unboxAndPowerOn,
  powerOn,
  completeSetupWizard,
  connectWifi,
  scanQrCode,
  enterToken,
  tryAgain,
  powerOff,
};

export const adminCatalogue = {
  createProfile,
  editProfile,
  deleteProfile,
  createToken,
  replaceToken,
  revokeToken,
  exportToken,
  createAssignmentFilter,
  createDynamicDeviceGroup,
  createUserGroup,
  assignPolicy,
  assignApp,
  registerConfiguration,
  unregisterConfiguration,
  // The default token's stage 1: the admin scans the QR code at the device.
  ...deviceSetup,
};
export const vendorCatalogue = deviceSetup;
export const userCatalogue = {
  powerOn,
  completeSetupWizard,
  connectWifi,
  openIntuneApp,
  signIn,
  createWorkProfile,
  grantPermissions,
  acceptTerms,
  resumeEnrollment,
  tryAgain,
  powerOff,
};
export const environmentCatalogue = {
  dropNetwork,
  restoreNetwork,
  stallNetwork,
  resumeNetwork,
  advanceClock,
  setClock,
  restartBackend,
  cutPower,
  factoryReset,
};

/** Commands of the admin center (everything else acts at a device or on the environment). */
export const ADMIN_CENTER_COMMANDS = [
  'createProfile',
  'editProfile',
  'deleteProfile',
  'createToken',
  'replaceToken',
  'revokeToken',
  'exportToken',
  'createAssignmentFilter',
  'createDynamicDeviceGroup',
  'createUserGroup',
  'assignPolicy',
  'assignApp',
] as const;

export type AdminCenterCommandName = (typeof ADMIN_CENTER_COMMANDS)[number];

/** Environment commands that act on the backend, not on a device. */
export const BACKEND_COMMANDS = ['advanceClock', 'setClock', 'restartBackend'] as const;
export type BackendCommandName = (typeof BACKEND_COMMANDS)[number];

type Catalogue = Record<string, AnySchema>;

const catalogues: Record<string, Catalogue> = {
  admin: adminCatalogue,
  vendor: vendorCatalogue,
  user: userCatalogue,
  environment: environmentCatalogue,
};

/** The roles that have a command of this name (for "signIn is a command of the user" hints). */
export function rolesOf(name: string): string[] {
  return Object.entries(catalogues)
    .filter(([, catalogue]) => Object.hasOwn(catalogue, name))
    .map(([role]) => role);
}

/** One command as the runner sees it: its name plus its map form with defaults filled in. */
export type CommandOf<C extends Catalogue> = {
  [K in keyof C & string]: { command: K } & z.output<C[K]>;
}[keyof C & string];

function requireValueMessage(name: string, role: string): string {
  return `the ${role} command "${name}" needs a value; write it as "${name}: ..." (see its map form in scenarios/README.md)`;
}

/**
 * A role's steps: one command or a list of them. Each command is its bare name, or a map of exactly one
 * command name to its short (scalar) or map form.
 */
export function roleSchema<C extends Catalogue>(role: string, catalogue: C) {
  const names = Object.keys(catalogue);
  const bare = names.filter((name) => catalogue[name]!.safeParse({}).success);
  const noun = `${role} command`;

  const bareSchema = z
    .string({ error: `expected a ${noun}` })
    // Editors complete the bare names from this; the enum below does the checking.
    .meta({ enum: bare })
    .pipe(
      z.enum(bare as [string, ...string[]], {
        error: (issue) => {
          const name = String(issue.input);
          if (names.includes(name)) return requireValueMessage(name, role);
          const owners = rolesOf(name).filter((owner) => owner !== role);
          return owners.length > 0
            ? `"${name}" is a command of the ${owners.join(' or ')}, not of the ${role}; give it its own "- ${owners[0]}: ..." step`
            : unknownKeyMessage(noun, [name], names);
        },
      }),
    )
    .transform((name) => ({ command: name, ...(catalogue[name]!.parse({}) as object) }) as CommandOf<C>);

  const shape = Object.fromEntries(names.map((name) => [name, catalogue[name]!.optional()]));
  const mapSchema = z
    .strictObject(shape, {
      error: (issue) => {
        if (issue.code === 'invalid_type') return `expected a map with ${noun}s (${listOf(names)})`;
        if (issue.code !== 'unrecognized_keys') return undefined;
        const key = issue.keys[0] ?? '';
        const owners = rolesOf(key).filter((owner) => owner !== role);
        return owners.length > 0
          ? `"${key}" is a command of the ${owners.join(' or ')}, not of the ${role}; give it its own "- ${owners[0]}: ..." step`
          : unknownKeyMessage(noun, issue.keys, names);
      },
    })
    .meta({ minProperties: 1, maxProperties: 1 })
    .superRefine((value, ctx) => {
      const keys = presentKeys(value);
      if (keys.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message:
            keys.length === 0
              ? `expected one ${noun} (${listOf(names)})`
              : `expected one ${noun} per list item, found ${keys.length} (${listOf(keys)}); put each on its own "- " line`,
        });
      }
    })
    .transform((value) => {
      const [name, args] = Object.entries(value).find(([, v]) => v !== undefined)!;
      return { command: name, ...(args as object) } as CommandOf<C>;
    });

  const one = z.union([bareSchema, mapSchema]);
  return z
    .union([
      one.transform((single) => ({ form: 'single' as const, commands: [single] })),
      z
        .array(one)
        .min(1, { error: `expected at least one ${noun}` })
        .transform((commands) => ({ form: 'list' as const, commands })),
    ])
    .describe(
      `One ${noun} or a list of them: a bare name ("powerOff"), "name: short form" or "name: { map form }".`,
    );
}

export type AdminCommand = CommandOf<typeof adminCatalogue>;
export type VendorCommand = CommandOf<typeof vendorCatalogue>;
export type UserCommand = CommandOf<typeof userCatalogue>;
export type EnvironmentCommand = CommandOf<typeof environmentCatalogue>;
