import { z } from 'zod';
import { reasonMessages, screens } from '../../agent/model/screens';
import { enrollmentStageSchema } from '../../agent/protocol/enrollment';
import { ledgerActorSchema } from '../backend/ledger';
import {
  deviceRefSchema,
  upnFieldSchema,
  displayNameSchema,
  listOf,
  patternSchema,
  presentKeys,
  strictMap,
} from './schemaParts';

/**
 * What a scenario checks after a step, as one map per `expect` (or a list of them). Device checks apply to
 * every device of the scenario unless `device` names one; report checks (managedDevices) look at the
 * backend as a whole.
 */

const screenIds = Object.keys(screens) as [string, ...string[]];
export const screenIdSchema = z
  .enum(screenIds, { error: `expected a screen id: ${listOf(screenIds)}` })
  .describe('The screen the device shows (ids of agent/model/screens.ts).');

/** The backend's stage for the device; none: the backend has recorded nothing for it. */
export const expectedStageSchema = z
  .enum(['none', ...enrollmentStageSchema.options], {
    error: `expected a stage: none, ${listOf(enrollmentStageSchema.options)}`,
  })
  .describe(
    'The stage the backend recorded: none, tokenCreated, staged, adminProvisioned, enrolled or factoryReset.',
  );

const errorReasons = ['none', ...Object.keys(reasonMessages)] as [string, ...string[]];
export const errorReasonSchema = z
  .enum(errorReasons, { error: `expected an error reason: ${listOf(errorReasons)}` })
  .describe('The reason the device shows on its error screen (none: no error is shown).');

const names = z.array(displayNameSchema).max(200);
const deliveredSchema = z
  .union([
    names.describe('Exactly these (in any order); [] for none.'),
    strictMap(
      {
        includes: names.optional().describe('At least these.'),
        excludes: names.optional().describe('None of these.'),
      },
      'field of a delivery check',
    ),
  ])
  .describe('What the device received: a list (exactly these), or includes/excludes.');

const managedDevicesCheck = z
  .union([
    z
      .number()
      .int()
      .nonnegative()
      .transform((count) => ({ count })),
    strictMap(
      {
        filter: z
          .string()
          .min(1)
          .max(4096)
          .optional()
          .describe("OData $filter of the All devices report, e.g. startswith(deviceName,'Staging_')."),
        count: z.number().int().nonnegative().optional().describe('How many rows the report has.'),
        deviceName: patternSchema.optional().describe("A regular expression every row's deviceName matches."),
      },
      'field of a managedDevices check',
    ).superRefine((value, ctx) => {
      if (value.count === undefined && value.deviceName === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected count or deviceName (what to check about the rows)',
        });
      }
    }),
  ])
  .describe(
    'Rows of the All devices report (Graph managedDevices): a count, or { filter, count, deviceName }.',
  );

/**
 * One field of a Graph entity and what it must be: a value (string, number, true/false, null), or
 * { matches: REGEX } for a field whose text must match.
 */
const fieldNameSchema = z.string().regex(/^[A-Za-z@][A-Za-z0-9_.@]{0,127}$/, {
  error: 'expected a Graph property name such as enrolledDeviceCount',
});
const fieldValueSchema = z.union(
  [
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    strictMap(
      { matches: patternSchema.describe('A regular expression the value (as text) matches.') },
      'field of a field check',
    ),
  ],
  { error: 'expected a value (text, number, true/false, null) or { matches: REGEX }' },
);
export type FieldValue = z.output<typeof fieldValueSchema>;
const fieldChecksSchema = z
  .record(fieldNameSchema, fieldValueSchema, {
    error: (issue) =>
      issue.code === 'invalid_key' ? 'expected a Graph property name such as enrolledDeviceCount' : undefined,
  })
  .refine((fields) => Object.keys(fields).length > 0, { error: 'expected at least one field to check' })
  .describe('Graph properties and what each must be: a value, or { matches: REGEX }.');

const enrollmentProfileCheck = strictMap(
  {
    profile: displayNameSchema
      .optional()
      .describe('The profile, by name; the one created last when left out.'),
    fields: fieldChecksSchema,
  },
  'field of an enrollmentProfile check',
).describe(
  "Fields of the enrollment profile as Graph answers it (androidDeviceOwnerEnrollmentProfile): { profile, fields: { enrolledDeviceCount: 1, enrollmentTokenUsageCount: 1, tokenExpirationDateTime: { matches: '^2024-07' } } }.",
);

const recordedStage = enrollmentStageSchema;
const ledgerEntry = z.union([
  z
    .string()
    .pipe(z.enum(recordedStage.options, { error: `expected a stage: ${listOf(recordedStage.options)}` }))
    .transform((stage) => ({ stage, actor: undefined as z.output<typeof ledgerActorSchema> | undefined })),
  strictMap({ stage: recordedStage, actor: ledgerActorSchema.optional() }, 'field of a ledger entry'),
]);

const DEVICE_CHECKS = [
  'screen',
  'title',
  'stage',
  'userless',
  'user',
  'deviceName',
  'policies',
  'apps',
  'errorReason',
  'ledger',
  'managedDevice',
] as const;

export const expectationSchema = strictMap(
  {
    device: deviceRefSchema.optional(),
    screen: screenIdSchema.optional(),
    title: z.string().min(1).optional().describe('The title the screen shows, e.g. "Can\'t set up device".'),
    stage: expectedStageSchema.optional(),
    userless: z
      .boolean()
      .optional()
      .describe('true: no user on the device or in its record; false: a user is signed in.'),
    user: upnFieldSchema
      .optional()
      .describe('The device is affiliated with this user (device and backend record).'),
    deviceName: patternSchema
      .optional()
      .describe(
        "A regular expression the backend's deviceName for the device matches, e.g. ^Staging_XX1234_.",
      ),
    policies: deliveredSchema.optional(),
    apps: deliveredSchema.optional(),
    errorReason: errorReasonSchema.optional(),
    managedDevices: z.union([managedDevicesCheck, z.array(managedDevicesCheck).min(1)]).optional(),
    managedDevice: fieldChecksSchema
      .optional()
      .describe(
        "Fields of the device's managed device record (Graph managedDevice), e.g. { deviceEnrollmentType: androidEnterpriseFullyManaged, enrollmentProfileName: Frontline }.",
      ),
    enrollmentProfile: enrollmentProfileCheck.optional(),
    ledger: z
      .array(ledgerEntry)
      .min(1)
      .optional()
      .describe("The device's stage transitions in the backend's ledger, oldest first."),
  },
  'expectation',
).superRefine((value, ctx) => {
  const keys = presentKeys(value).filter((key) => key !== 'device');
  if (keys.length === 0)
    ctx.addIssue({
      code: 'custom',
      message: `expected at least one check: ${listOf([...DEVICE_CHECKS, 'managedDevices', 'enrollmentProfile'])}`,
    });
  if (value.userless === true && value.user !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['userless'],
      message: 'a device cannot be userless and have a user; use one of them',
    });
  }
  if (
    value.device !== undefined &&
    (value.managedDevices !== undefined || value.enrollmentProfile !== undefined) &&
    keys.length === 1
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['device'],
      message:
        'managedDevices and enrollmentProfile check the admin center, not a device; device has no effect on them',
    });
  }
});

export type Expectation = z.output<typeof expectationSchema>;

/** Whether the expectation looks at each device (and not only at the report). */
export function checksDevices(expectation: Expectation): boolean {
  return DEVICE_CHECKS.some((key) => expectation[key] !== undefined);
}

export const expectRoleSchema = z
  .union([
    expectationSchema.transform((single) => ({ form: 'single' as const, expectations: [single] })),
    z
      .array(expectationSchema)
      .min(1)
      .transform((expectations) => ({ form: 'list' as const, expectations })),
  ])
  .describe(
    'Checks: a map of screen, title, stage, userless, user, deviceName, policies, apps, errorReason, ledger, managedDevice, managedDevices, enrollmentProfile (and device), or a list of such maps.',
  );
