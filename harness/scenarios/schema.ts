import { z } from 'zod';
import { DEFAULT_DEVICE } from '../../agent/device/deviceProfile';
import {
  adminCatalogue,
  DEFAULT_ASSIGNED_TYPE,
  environmentCatalogue,
  roleSchema,
  userCatalogue,
  vendorCatalogue,
  type AdminCommand,
  type EnvironmentCommand,
  type UserCommand,
  type VendorCommand,
} from './commands';
import { expectRoleSchema, type Expectation } from './expectations';
import { androidVersionSchema, listOf, presentKeys, serialSchema, strictMap } from './schemaParts';

/**
 * A scenario file: who does what, in the order of the device staging document, and what must hold after.
 *
 *   name: Staging token, fully managed, happy path
 *   description: ...
 *   tags: [staging, fully-managed]
 *   devices:
 *     - { serial: XX1234, manufacturer: Google, model: Pixel 8, androidVersion: 14 }
 *   steps:
 *     - admin: { createProfile: { name: Frontline staging, mode: fullyManaged, token: staging } }
 *     - vendor: [unboxAndPowerOn, completeSetupWizard, scanQrCode]
 *     - expect: { screen: staged, stage: staged, userless: true }
 *
 * The TypeScript types below are inferred from the schema; the JSON Schema editors use is generated from
 * it (writeJsonSchema.ts).
 */

/** A run stages at most this many devices per scenario, so a typo in a batch count cannot exhaust a machine. */
export const MAX_DEVICES = 100;

const deviceFields = {
  manufacturer: z
    .string()
    .min(1)
    .max(64)
    .default(DEFAULT_DEVICE.manufacturer)
    .describe('The manufacturer, e.g. Samsung.'),
  model: z.string().min(1).max(64).default(DEFAULT_DEVICE.model).describe('The model, e.g. Galaxy XCover7.'),
  androidVersion: androidVersionSchema.default(DEFAULT_DEVICE.osVersion),
  wifi: z.boolean().default(true).describe('A Wi-Fi network is in range.'),
  cellular: z.boolean().default(true).describe('Mobile data works.'),
};

const deviceSchema = z
  .union([
    serialSchema
      .transform((serial) => ({ serial }))
      .pipe(strictMap({ serial: serialSchema, ...deviceFields }, 'device field')),
    strictMap({ serial: serialSchema, ...deviceFields }, 'device field'),
  ])
  .describe(
    'A device: its serial alone, or { serial, manufacturer, model, androidVersion, wifi, cellular }.',
  );

export type ScenarioDevice = z.output<typeof deviceSchema>;

const batchSchema = strictMap(
  {
    count: z
      .number()
      .int()
      .min(1)
      .max(MAX_DEVICES, { error: `expected at most ${MAX_DEVICES} devices` })
      .describe('How many devices.'),
    serialPrefix: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,56}$/, { error: 'expected letters, digits and dashes (at most 56)' })
      .describe('Serials are the prefix and a number: BATCH01, BATCH02, ...'),
    ...deviceFields,
  },
  'batch field',
)
  .transform(({ count, serialPrefix, ...rest }): ScenarioDevice[] => {
    const width = Math.max(2, String(count).length);
    return Array.from({ length: count }, (_, i) => ({
      serial: `${serialPrefix}${String(i + 1).padStart(width, '0')}`,
      ...rest,
    }));
  })
  .describe(
    'A batch of identical devices staged together: { count, serialPrefix, manufacturer, model, androidVersion, wifi, cellular }.',
  );

const devicesSchema = z
  .union([
    z
      .array(deviceSchema)
      .min(1, { error: 'expected at least one device' })
      .max(MAX_DEVICES, { error: `expected at most ${MAX_DEVICES} devices` }),
    batchSchema,
  ])
  .prefault([{ serial: DEFAULT_DEVICE.serialNumber }])
  .describe(
    `The devices: a list, or a batch { count, serialPrefix, ... }; one ${DEFAULT_DEVICE.manufacturer} ${DEFAULT_DEVICE.model} (serial ${DEFAULT_DEVICE.serialNumber}, Android ${DEFAULT_DEVICE.osVersion}) when left out.`,
  );

const roles = {
  admin: roleSchema('admin', adminCatalogue).describe(
    'Admin center work (stage 1), or the admin at the device (default token, stage 1).',
  ),
  vendor: roleSchema('vendor', vendorCatalogue).describe(
    'The admin or third-party vendor at the device (staging token, stage 2).',
  ),
  user: roleSchema('user', userCatalogue).describe('The end user (the last stage).'),
  environment: roleSchema('environment', environmentCatalogue).describe(
    'What happens to the device, the network or the backend.',
  ),
  expect: expectRoleSchema,
};
export const ROLES = Object.keys(roles) as Array<keyof typeof roles>;

const stepSchema = strictMap(
  Object.fromEntries(Object.entries(roles).map(([role, schema]) => [role, schema.optional()])) as {
    [K in keyof typeof roles]: z.ZodOptional<(typeof roles)[K]>;
  },
  'role',
)
  .meta({ minProperties: 1, maxProperties: 1 })
  .superRefine((value, ctx) => {
    const keys = presentKeys(value);
    if (keys.length === 0)
      ctx.addIssue({
        code: 'custom',
        message: `expected a role with its commands, e.g. "- vendor: scanQrCode" (roles: ${listOf(ROLES)})`,
      });
    if (keys.length > 1)
      ctx.addIssue({
        code: 'custom',
        message: `expected one role per step, found ${listOf(keys)}; give each its own "- " line`,
      });
  })
  .transform((value) => {
    if (value.admin) return { role: 'admin' as const, ...value.admin };
    if (value.vendor) return { role: 'vendor' as const, ...value.vendor };
    if (value.user) return { role: 'user' as const, ...value.user };
    if (value.environment) return { role: 'environment' as const, ...value.environment };
    return { role: 'expect' as const, ...value.expect! };
  });

export type ScenarioStepBlock = z.output<typeof stepSchema>;

const baseScenarioSchema = strictMap(
  {
    $schema: z.string().optional().describe('The JSON Schema of this file (for editors).'),
    name: z
      .string()
      .trim()
      .min(1, { error: 'expected a name' })
      .max(200)
      .describe('What the scenario proves, in a few words.'),
    description: z
      .string()
      .trim()
      .min(1, { error: 'expected a description' })
      .max(4000)
      .describe('The line of the staging document it proves, and how.'),
    tags: z
      .array(
        z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a lower-case tag such as fully-managed' }),
      )
      .max(20)
      .default([])
      .describe('Tags for --grep, e.g. [staging, fully-managed].'),
    devices: devicesSchema,
    steps: z
      .array(stepSchema)
      .min(1, { error: 'expected at least one step' })
      .max(1000)
      .describe('What happens, in order; each step is one role with its commands, or expect with checks.'),
  },
  'top-level field',
);

type BaseScenario = z.output<typeof baseScenarioSchema>;
type Path = Array<string | number>;

/** Where command `j` of step `i` sits in the file (a single command is not in a list). */
function commandPath(steps: BaseScenario['steps'], i: number, j: number): Path {
  const step = steps[i]!;
  return step.form === 'list' ? ['steps', i, step.role, j] : ['steps', i, step.role];
}

/**
 * Checks the names a scenario refers to exist by the time they are used: devices, profiles, filters and
 * groups, and that a previous token exists before one is used. Caught here, a slip fails the file (exit
 * 2) instead of a run halfway through.
 */
function checkReferences(scenario: BaseScenario, ctx: z.RefinementCtx): void {
  // zod runs this refinement even when parts of the file failed; names are checked once the rest is right.
  if (
    !Array.isArray(scenario.devices) ||
    !scenario.steps.every((step) => Array.isArray('commands' in step ? step.commands : step.expectations))
  )
    return;
  const serials = new Set<string>();
  scenario.devices.forEach((device, index) => {
    if (serials.has(device.serial))
      ctx.addIssue({
        code: 'custom',
        path: ['devices', index, 'serial'],
        message: `serial ${device.serial} is used twice; every device needs its own`,
      });
    serials.add(device.serial);
  });

  const profiles = new Map<string, { replaced: boolean }>();
  let lastProfile: string | null = null;
  const filters = new Set<string>();
  const groups = new Set<string>();
  const exportsKept = new Set<string>();
  /** The Graph type each assigned policy or app was created as, by command and name. */
  const assignedTypes = new Map<string, string>();
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });

  scenario.steps.forEach((step, i) => {
    if (step.role === 'expect') {
      step.expectations.forEach((expectation, j) => {
        if (expectation.device !== undefined && !serials.has(expectation.device)) {
          const at: Path =
            step.form === 'list' ? ['steps', i, 'expect', j, 'device'] : ['steps', i, 'expect', 'device'];
          issue(
            at,
            `no device ${expectation.device} in this scenario; expected one of: ${listOf([...serials])}`,
          );
        }
        const checked = expectation.enrollmentProfile;
        if (checked !== undefined) {
          const at: Path =
            step.form === 'list'
              ? ['steps', i, 'expect', j, 'enrollmentProfile']
              : ['steps', i, 'expect', 'enrollmentProfile'];
          const name = checked.profile ?? lastProfile;
          if (name === null)
            issue(at, 'no profile is created before this check; add "- admin: { createProfile: ... }" first');
          else if (!profiles.has(name))
            issue(
              checked.profile === undefined ? at : [...at, 'profile'],
              `no profile "${name}" exists at this check; expected one of: ${listOf([...profiles.keys()]) || '(none)'}`,
            );
        }
      });
      return;
    }
    step.commands.forEach((command, j) => {
      const at = [...commandPath(scenario.steps, i, j), command.command];
      const args = command as Record<string, unknown>;
      if (typeof args.device === 'string' && !serials.has(args.device)) {
        issue(
          [...at, 'device'],
          `no device ${args.device} in this scenario; expected one of: ${listOf([...serials])}`,
        );
      }
      const profileName = typeof args.profile === 'string' ? args.profile : null;
      const knownProfile = (): string | null => {
        const name = profileName ?? lastProfile;
        if (name === null) {
          issue(at, `no profile is created before this step; add "- admin: { createProfile: ... }" first`);
          return null;
        }
        if (!profiles.has(name)) {
          issue(
            [...at, 'profile'],
            `no profile "${name}" is created before this step; expected one of: ${listOf([...profiles.keys()]) || '(none)'}`,
          );
          return null;
        }
        return name;
      };
      // A request the admin center is expected to refuse changes nothing later steps can refer to.
      const refusedStep = 'refused' in command && command.refused !== undefined;
      switch (command.command) {
        case 'createProfile':
          if (refusedStep) return;
          if (profiles.has(command.name))
            issue([...at, 'name'], `a profile named "${command.name}" was created already`);
          profiles.set(command.name, { replaced: false });
          lastProfile = command.name;
          return;
        case 'editProfile': {
          const name = knownProfile();
          if (name === null || refusedStep || command.name === undefined || command.name === name) return;
          if (profiles.has(command.name))
            issue([...at, 'name'], `a profile named "${command.name}" exists already`);
          profiles.set(command.name, profiles.get(name)!);
          profiles.delete(name);
          if (lastProfile === name) lastProfile = command.name;
          return;
        }
        case 'deleteProfile': {
          const name = knownProfile();
          if (name === null || refusedStep) return;
          profiles.delete(name);
          if (lastProfile === name) lastProfile = null;
          return;
        }
        case 'registerConfiguration':
          if (command.export !== undefined && !exportsKept.has(command.export))
            issue(
              [...at, 'export'],
              `no export "${command.export}" is kept before this step; add "as: ${command.export}" to an exportToken first${exportsKept.size > 0 ? ` (kept: ${listOf([...exportsKept])})` : ''}`,
            );
          return;
        case 'createAssignmentFilter':
          if (filters.has(command.name))
            issue([...at, 'name'], `an assignment filter named "${command.name}" was created already`);
          filters.add(command.name);
          return;
        case 'createDynamicDeviceGroup':
        case 'createUserGroup':
          if (groups.has(command.name))
            issue([...at, 'name'], `a group named "${command.name}" was created already`);
          groups.add(command.name);
          return;
        case 'assignPolicy':
        case 'assignApp':
          if (command.filter !== undefined && !filters.has(command.filter)) {
            issue(
              [...at, 'filter'],
              `no assignment filter "${command.filter}" is created before this step; expected one of: ${listOf([...filters]) || '(none: add createAssignmentFilter first)'}`,
            );
          }
          for (const field of ['group', 'excludeGroup'] as const) {
            const group = command[field];
            if (group !== undefined && !groups.has(group)) {
              issue(
                [...at, field],
                `no group "${group}" is created before this step; expected one of: ${listOf([...groups]) || '(none: add createDynamicDeviceGroup or createUserGroup first)'}`,
              );
            }
          }
          {
            const key = `${command.command}\u0000${command.name}`;
            const known = assignedTypes.get(key);
            if (known === undefined)
              assignedTypes.set(key, command.type ?? DEFAULT_ASSIGNED_TYPE[command.command]);
            else if (command.type !== undefined && known !== command.type)
              issue(
                [...at, 'type'],
                `"${command.name}" was created as ${known} by an earlier step; one name, one type`,
              );
          }
          return;
        case 'createToken':
        case 'replaceToken':
        case 'revokeToken':
        case 'exportToken':
        case 'scanQrCode':
        case 'enterToken': {
          if (command.command === 'scanQrCode' && command.text !== undefined) return;
          if (command.command === 'enterToken' && command.text !== undefined) return;
          const name = profileName ?? lastProfile;
          if (name === null) {
            issue(at, `no profile is created before this step; add "- admin: { createProfile: ... }" first`);
            return;
          }
          const profile = profiles.get(name);
          if (!profile) {
            issue(
              [...at, 'profile'],
              `no profile "${name}" is created before this step; expected one of: ${listOf([...profiles.keys()])}`,
            );
            return;
          }
          if ((command.command === 'createToken' || command.command === 'replaceToken') && !refusedStep)
            profile.replaced = true;
          if (command.command === 'exportToken' && command.as !== undefined) {
            if (exportsKept.has(command.as))
              issue([...at, 'as'], `an export named "${command.as}" is kept already`);
            exportsKept.add(command.as);
          }
          const wantsPrevious =
            ((command.command === 'scanQrCode' || command.command === 'enterToken') &&
              command.token === 'previous') ||
            (command.command === 'exportToken' && command.expect.token === 'previous');
          if (wantsPrevious && !profile.replaced)
            issue(
              [...at, 'token'],
              `profile "${name}" has no previous token before this step; replace its token first (replaceToken)`,
            );
          return;
        }
        default:
          return;
      }
    });
  });
}

export const scenarioSchema = baseScenarioSchema
  .superRefine(checkReferences)
  .describe('A stagesim scenario (scenarios/README.md).');

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** One step of a scenario, flattened: a command of a role, or one expectation. */
export type ScenarioStep =
  | ({ role: 'admin' } & AdminCommand)
  | ({ role: 'vendor' } & VendorCommand)
  | ({ role: 'user' } & UserCommand)
  | ({ role: 'environment' } & EnvironmentCommand)
  | { role: 'expect'; command: 'expect'; expect: Expectation };

/** Each step with the path of its YAML node (for line numbers). */
export function flattenSteps(scenario: Scenario): Array<{ step: ScenarioStep; path: Path }> {
  const flat: Array<{ step: ScenarioStep; path: Path }> = [];
  scenario.steps.forEach((block, i) => {
    if (block.role === 'expect') {
      block.expectations.forEach((expectation, j) => {
        flat.push({
          step: { role: 'expect', command: 'expect', expect: expectation },
          path: block.form === 'list' ? ['steps', i, 'expect', j] : ['steps', i, 'expect'],
        });
      });
      return;
    }
    block.commands.forEach((command, j) => {
      flat.push({
        step: { role: block.role, ...command } as ScenarioStep,
        path: commandPath(scenario.steps, i, j),
      });
    });
  });
  return flat;
}
