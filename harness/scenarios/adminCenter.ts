import { isStagesimError, StagesimError } from '../../agent/errors';
import { EXTRA_ENROLLMENT_TOKEN } from '../../agent/provisioning/payload';
import type { ConfigurationFormat } from '../../agent/provisioning/deviceConfiguration';
import {
  AdminApiError,
  type AdminClient,
  type AssignableKind,
  type AssignmentTarget,
} from '../world/AdminClient';
import {
  DEFAULT_ASSIGNED_TYPE,
  PROFILE_MODES,
  type AdminCenterCommandName,
  type AdminCommand,
  type Refusal,
} from './commands';

/**
 * Stage 1 of a scenario: the admin's work in the admin center, through the admin API. It keeps what the
 * scenario refers to by name (profiles, filters, groups, policies and apps) and every token a profile
 * handed out, so a vendor can still scan a code that was printed before the token was revoked or
 * replaced ("previous").
 */
export interface IssuedToken {
  value: string;
  /** The provisioning JSON of the QR code. */
  qrCodeContent: string;
  /** The QR code image the admin center showed. */
  png: Buffer;
}

interface ProfileState {
  id: string;
  name: string;
  tokens: IssuedToken[];
}

type AdminCenterCommand = Extract<AdminCommand, { command: AdminCenterCommandName }>;

const TOKEN_TYPES = { staging: 'deviceStaging', default: 'default' } as const;

export class AdminCenter {
  private readonly profiles = new Map<string, ProfileState>();
  private lastProfile: ProfileState | null = null;
  private readonly filters = new Map<string, string>();
  private readonly groups = new Map<string, string>();
  /** Assignments replace each other in Graph; every target a payload was given is sent again. */
  private readonly payloads = new Map<
    string,
    { id: string; kind: AssignableKind; targets: AssignmentTarget[] }
  >();
  /** JSON exported with exportToken ... as: NAME, for registerConfiguration. */
  private readonly exports = new Map<string, { format: ConfigurationFormat; json: string }>();

  constructor(private readonly admin: AdminClient) {}

  /** The token a device is shown: the profile's current one, or the one before it. */
  token(profileName: string | undefined, which: 'current' | 'previous'): IssuedToken {
    const profile = this.profile(profileName);
    const token = profile.tokens.at(which === 'current' ? -1 : -2);
    if (!token)
      throw new StagesimError('SCENARIO_NO_SUCH_TOKEN', `profile "${profile.name}" has no ${which} token`);
    return token;
  }

  /** The JSON an earlier exportToken kept under `name`. */
  exported(name: string): { format: ConfigurationFormat; json: string } {
    const found = this.exports.get(name);
    if (!found)
      throw new StagesimError(
        'SCENARIO_NO_SUCH_NAME',
        `no export "${name}" was kept (exportToken ... as: ${name})`,
      );
    return found;
  }

  /** The profile's entity as Graph answers it now (for expectations on any of its fields). */
  async profileEntity(name: string | undefined): Promise<Record<string, unknown>> {
    return (await this.admin.getProfile(this.profile(name).id)) as Record<string, unknown>;
  }

  /**
   * Runs a step. A step that says `refused` must be refused by the admin center with that error: it
   * fails if the request succeeds, or is refused with another code, status or message.
   */
  async run(step: AdminCenterCommand): Promise<void> {
    const refusal = 'refused' in step && typeof step.refused === 'object' ? (step.refused as Refusal) : null;
    if (!refusal) return this.perform(step);
    try {
      await this.perform(step);
    } catch (error) {
      if (!(error instanceof AdminApiError)) throw error;
      const problems: string[] = [];
      if (error.graphCode !== refusal.code)
        problems.push(`refused with ${error.graphCode ?? 'no Graph error code'}, expected ${refusal.code}`);
      if (refusal.status !== undefined && error.status !== refusal.status)
        problems.push(`refused with status ${error.status}, expected ${refusal.status}`);
      if (refusal.message !== undefined && !new RegExp(refusal.message, 'u').test(error.graphMessage ?? ''))
        problems.push(`the message "${error.graphMessage ?? ''}" does not match /${refusal.message}/`);
      if (problems.length > 0)
        throw new StagesimError('SCENARIO_EXPECTATION_FAILED', `${problems.join('; ')} (${error.message})`);
      return;
    }
    throw new StagesimError(
      'SCENARIO_EXPECTATION_FAILED',
      `the admin center did the ${step.command}; expected it to refuse with ${refusal.code}`,
    );
  }

  private async perform(step: AdminCenterCommand): Promise<void> {
    switch (step.command) {
      case 'createProfile': {
        const expires =
          step.validity === undefined
            ? undefined
            : new Date((await this.admin.now()).getTime() + step.validity * 1000).toISOString();
        const profile = await this.admin.createProfile({
          displayName: step.name,
          enrollmentMode: PROFILE_MODES[step.mode],
          ...(step.deviceNameTemplate !== undefined ? { deviceNameTemplate: step.deviceNameTemplate } : {}),
          enrollmentTokenType: TOKEN_TYPES[step.token],
          ...(expires ? { tokenExpirationDateTime: expires } : {}),
          ...(step.wifi
            ? {
                wifi: {
                  ...step.wifi,
                  security: step.wifi.security ?? (step.wifi.password === undefined ? 'none' : 'wpa'),
                },
              }
            : {}),
        });
        const state: ProfileState = { id: profile.id, name: step.name, tokens: [] };
        this.profiles.set(step.name, state);
        this.lastProfile = state;
        await this.collectToken(state);
        return;
      }
      case 'createToken':
      case 'replaceToken': {
        const profile = this.profile(step.profile);
        await this.admin.createToken(profile.id, step.validity);
        await this.collectToken(profile);
        return;
      }
      case 'revokeToken':
        await this.admin.revokeToken(this.profile(step.profile).id);
        return;
      case 'editProfile': {
        const profile = this.profile(step.profile);
        await this.admin.updateProfile(profile.id, {
          ...(step.name !== undefined ? { displayName: step.name } : {}),
          ...(step.description !== undefined ? { description: step.description } : {}),
          ...(step.deviceNameTemplate !== undefined ? { deviceNameTemplate: step.deviceNameTemplate } : {}),
        });
        if (step.name !== undefined && step.name !== profile.name) {
          this.profiles.delete(profile.name);
          profile.name = step.name;
          this.profiles.set(step.name, profile);
        }
        return;
      }
      case 'deleteProfile': {
        const profile = this.profile(step.profile);
        await this.admin.deleteProfile(profile.id);
        this.profiles.delete(profile.name);
        if (this.lastProfile === profile) this.lastProfile = null;
        return;
      }
      case 'exportToken':
        await this.exportToken(step);
        return;
      case 'createAssignmentFilter':
        this.filters.set(
          step.name,
          (await this.admin.createAssignmentFilter(step.name, step.rule, step.platform)).id,
        );
        return;
      case 'createDynamicDeviceGroup':
        this.groups.set(
          step.name,
          (await this.admin.createDynamicDeviceGroup(step.name, step.membershipRule)).id,
        );
        return;
      case 'createUserGroup':
        this.groups.set(step.name, (await this.admin.createUserGroup(step.name, step.members)).id);
        return;
      case 'assignPolicy':
      case 'assignApp': {
        // The schema made sure a later step for the same name names no other type.
        const key = `${step.command}\u0000${step.name}`;
        let resource = this.payloads.get(key);
        if (!resource) {
          const type = step.type ?? DEFAULT_ASSIGNED_TYPE[step.command];
          const kind: AssignableKind =
            step.command === 'assignApp'
              ? 'mobileApp'
              : type === 'androidDeviceOwnerCompliancePolicy'
                ? 'deviceCompliancePolicy'
                : 'deviceConfiguration';
          const created =
            step.command === 'assignApp'
              ? await this.admin.createManagedStoreApp(step.name, step.packageId, type)
              : kind === 'deviceCompliancePolicy'
                ? await this.admin.createCompliancePolicy(step.name)
                : await this.admin.createDeviceConfiguration(step.name, `#microsoft.graph.${type}`);
          resource = { id: created.id, kind, targets: [] };
          this.payloads.set(key, resource);
        }
        resource.targets.push(this.target(step));
        await this.admin.assign(resource.kind, resource.id, resource.targets);
        return;
      }
      default: {
        const unhandled: never = step;
        throw new StagesimError(
          'SCENARIO_UNKNOWN_COMMAND',
          `no admin center command ${(unhandled as { command: string }).command}`,
        );
      }
    }
  }

  /** The Graph target of one assignPolicy/assignApp step. */
  private target(
    step: Extract<AdminCenterCommand, { command: 'assignPolicy' | 'assignApp' }>,
  ): AssignmentTarget {
    const intent = step.command === 'assignApp' ? { intent: step.intent } : {};
    if (step.excludeGroup !== undefined)
      return {
        kind: 'exclusionGroup',
        groupId: this.named(this.groups, step.excludeGroup, 'group'),
        ...intent,
      };
    const filter =
      step.filter === undefined
        ? {}
        : {
            filterId: this.named(this.filters, step.filter, 'assignment filter'),
            filterType: step.filterMode,
          };
    if (step.group !== undefined)
      return { kind: 'group', groupId: this.named(this.groups, step.group, 'group'), ...filter, ...intent };
    if (step.allUsers) return { kind: 'allLicensedUsers', ...filter, ...intent };
    // allDevices, or a filter alone: all devices through it.
    return { kind: 'allDevices', ...filter, ...intent };
  }

  private profile(name: string | undefined): ProfileState {
    const profile = name === undefined ? this.lastProfile : this.profiles.get(name);
    if (!profile)
      throw new StagesimError(
        'SCENARIO_NO_SUCH_PROFILE',
        name === undefined ? 'no profile was created before this step' : `no profile "${name}" was created`,
      );
    return profile;
  }

  private named(map: Map<string, string>, name: string, noun: string): string {
    const id = map.get(name);
    if (id === undefined)
      throw new StagesimError('SCENARIO_NO_SUCH_NAME', `no ${noun} "${name}" was created`);
    return id;
  }

  private async collectToken(profile: ProfileState): Promise<void> {
    const { tokenValue, qrCodeContent, png } = await this.admin.qrCode(profile.id);
    if (!tokenValue || !qrCodeContent || !png)
      throw new StagesimError(
        'SCENARIO_NO_TOKEN',
        `the admin center shows no token for profile "${profile.name}"`,
      );
    profile.tokens.push({ value: tokenValue, qrCodeContent, png });
  }

  private async exportToken(step: Extract<AdminCenterCommand, { command: 'exportToken' }>): Promise<void> {
    const profile = this.profile(step.profile);
    const { expect } = step;
    let exported: unknown;
    try {
      exported = await this.admin.exportToken(profile.id, step.format);
    } catch (error) {
      if (expect.refused === true && isStagesimError(error, 'ADMIN_API_ERROR')) return;
      throw error;
    }
    if (expect.refused === true)
      throw new StagesimError(
        'SCENARIO_EXPECTATION_FAILED',
        `the ${step.format} export was not refused: ${JSON.stringify(exported)}`,
      );
    const problems: string[] = [];
    const json = (exported ?? {}) as Record<string, unknown>;
    if (expect.token !== undefined) {
      const carried = findToken(json);
      const wanted = this.token(step.profile, expect.token).value;
      if (carried === null) problems.push(`the export carries no ${EXTRA_ENROLLMENT_TOKEN}`);
      else if (carried !== wanted)
        problems.push(
          `the export carries a token ending …${carried.slice(-4)}, expected the ${expect.token} token (…${wanted.slice(-4)})`,
        );
    }
    for (const key of expect.hasKeys ?? [])
      if (!Object.hasOwn(json, key))
        problems.push(`the export has no key ${key} (it has ${Object.keys(json).join(', ')})`);
    for (const key of expect.lacksKeys ?? [])
      if (Object.hasOwn(json, key)) problems.push(`the export has the key ${key}, expected it not to`);
    if (problems.length > 0) throw new StagesimError('SCENARIO_EXPECTATION_FAILED', problems.join('; '));
    // Kept as the admin center's download is: pretty-printed, ready to paste into a portal.
    if (step.as !== undefined)
      this.exports.set(step.as, { format: step.format, json: JSON.stringify(exported, null, 2) });
  }
}

/** The enrollment token wherever the export keeps it (top level for KME, in the admin extras for Zero Touch). */
function findToken(value: unknown, depth = 0): string | null {
  if (depth > 4 || value === null || typeof value !== 'object') return null;
  for (const [key, inner] of Object.entries(value)) {
    if (key === EXTRA_ENROLLMENT_TOKEN && typeof inner === 'string') return inner;
    const found = findToken(inner, depth + 1);
    if (found !== null) return found;
  }
  return null;
}
