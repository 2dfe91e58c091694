import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { z } from 'zod';
import { trustingCa } from '../../agent/channel/trust';
import { StagesimError } from '../../agent/errors';

/**
 * A typed client for the backend's admin API: what an Intune admin does in stage 1, plus the
 * simulator's routes (clock, ledger, token export). It speaks only HTTP, so it drives an embedded
 * backend and a `stagesim backend` on another machine the same way. Answers are checked with zod:
 * a backend that answers something else fails loudly here rather than deep in a test.
 */
const profileSchema = z.looseObject({
  id: z.string(),
  displayName: z.string(),
  enrollmentMode: z.string(),
  enrollmentTokenType: z.string(),
  tokenValue: z.string().nullable(),
  tokenExpirationDateTime: z.string().nullable(),
  enrolledDeviceCount: z.number(),
  qrCodeContent: z.string().nullable(),
  /** Graph renders the image only when asked for it with $select (see qrCode()). */
  qrCodeImage: z.object({ type: z.string(), value: z.string() }).nullable().optional(),
});
export type ProfileEntity = z.infer<typeof profileSchema>;

const entitySchema = z.looseObject({ id: z.string(), displayName: z.string() });
export type NamedEntity = z.infer<typeof entitySchema>;

const managedDeviceSchema = z.looseObject({
  id: z.string(),
  deviceName: z.string(),
  serialNumber: z.string(),
  userPrincipalName: z.string(),
  enrollmentProfileName: z.string(),
  enrolledDateTime: z.string().nullable(),
  simulatorEnrollmentStage: z.string(),
  simulatorDeliveredPolicies: z.array(z.string()),
  simulatorDeliveredApps: z.array(z.string()),
  simulatorDeliveredResources: z.array(
    z.object({
      '@odata.type': z.string(),
      id: z.string(),
      displayName: z.string(),
      intent: z.string().optional(),
    }),
  ),
});
export type ManagedDevice = z.infer<typeof managedDeviceSchema>;

const ledgerEntrySchema = z.object({
  seq: z.number(),
  managedDeviceId: z.string(),
  serialNumber: z.string(),
  fromStage: z.string().nullable(),
  toStage: z.string(),
  at: z.string(),
  actor: z.string(),
  tokenId: z.string().nullable(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

const listOf = <T extends z.ZodType>(item: T) => z.object({ value: z.array(item) });
// Made once: zod compiles a schema on its first parse, and a schema made per call was compiled per call
// (a device, ledger and clock read cost 2.7 ms of CPU with schemas made per call, 2.0-2.2 ms without).
const profileList = listOf(profileSchema);
const managedDeviceList = listOf(managedDeviceSchema);
const ledgerList = listOf(ledgerEntrySchema);
const clockSchema = z.object({ now: z.string() });
const tokenSchema = z.object({ tokenValue: z.string().nullable(), qrCodeContent: z.string().nullable() });
const qrCodeSchema = tokenSchema.extend({ qrCodeImage: z.object({ value: z.string() }).nullable() });

export type ProfileMode =
  | 'corporateOwnedFullyManaged'
  | 'corporateOwnedWorkProfile'
  | 'corporateOwnedDedicatedDevice'
  | 'corporateOwnedAOSPUserlessDevice'
  | 'corporateOwnedAOSPUserAssociatedDevice';
export type ProfileTokenType =
  'default' | 'deviceStaging' | 'corporateOwnedDedicatedDeviceWithAzureADSharedMode';

export interface CreateProfileInput {
  displayName: string;
  enrollmentMode: ProfileMode;
  enrollmentTokenType: ProfileTokenType;
  /** When the first token expires (staging tokens; default tokens never expire). */
  tokenExpirationDateTime?: string;
  wifi?: { ssid: string; password?: string; security?: 'none' | 'wpa' | 'wep' };
  deviceNameTemplate?: string;
}

/** What a PATCH of a profile may change. */
export interface ProfileChanges {
  displayName?: string;
  description?: string;
  deviceNameTemplate?: string;
}

/** The Intune resources that can be assigned (Graph beta entity sets). */
export type AssignableKind = 'deviceConfiguration' | 'deviceCompliancePolicy' | 'mobileApp';

export type AppIntent = 'required' | 'available' | 'uninstall';

interface TargetFilter {
  filterId?: string;
  filterType?: 'include' | 'exclude';
  /** Apps only (default required). */
  intent?: AppIntent;
}

/** Where an assignment goes, in Graph's terms (allDevices... and groupAssignmentTarget and so on). */
export type AssignmentTarget =
  | ({ kind: 'allDevices' } & TargetFilter)
  | ({ kind: 'allLicensedUsers' } & TargetFilter)
  | ({ kind: 'group'; groupId: string } & TargetFilter)
  | { kind: 'exclusionGroup'; groupId: string; intent?: AppIntent };

const TARGET_ODATA_TYPES: Record<AssignmentTarget['kind'], string> = {
  allDevices: '#microsoft.graph.allDevicesAssignmentTarget',
  allLicensedUsers: '#microsoft.graph.allLicensedUsersAssignmentTarget',
  group: '#microsoft.graph.groupAssignmentTarget',
  exclusionGroup: '#microsoft.graph.exclusionGroupAssignmentTarget',
};

/** Graph's target object for one of ours. */
export function graphTarget(target: AssignmentTarget): Record<string, unknown> {
  const filterId = 'filterId' in target ? target.filterId : undefined;
  return {
    '@odata.type': TARGET_ODATA_TYPES[target.kind],
    ...('groupId' in target ? { groupId: target.groupId } : {}),
    ...(filterId === undefined
      ? {}
      : {
          deviceAndAppManagementAssignmentFilterId: filterId,
          deviceAndAppManagementAssignmentFilterType:
            ('filterType' in target && target.filterType) || 'include',
        }),
  };
}

export const PATHS = {
  profiles: '/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles',
  filters: '/beta/deviceManagement/assignmentFilters',
  groups: '/beta/groups',
  deviceConfiguration: '/beta/deviceManagement/deviceConfigurations',
  deviceCompliancePolicy: '/beta/deviceManagement/deviceCompliancePolicies',
  mobileApp: '/beta/deviceAppManagement/mobileApps',
  managedDevices: '/beta/deviceManagement/managedDevices',
  clock: '/simulator/clock',
  ledger: '/simulator/ledger',
} as const;

/**
 * The admin API answered with an error: StagesimError ADMIN_API_ERROR, with the HTTP status and Graph's
 * error code and message (`{"error": {"code", "message"}}`) kept apart so a caller can check them.
 */
export class AdminApiError extends StagesimError {
  constructor(
    message: string,
    readonly status: number,
    readonly graphCode: string | null,
    readonly graphMessage: string | null,
  ) {
    super('ADMIN_API_ERROR', message);
  }
}

export class AdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly adminKey?: string,
    /** For an https:// backend whose certificate a private CA signed (the local CA of --tls): its PEM. */
    private readonly ca?: string,
  ) {}

  // --- Enrollment profiles and tokens ---------------------------------------------------------------

  async createProfile(input: CreateProfileInput): Promise<ProfileEntity> {
    const body = {
      displayName: input.displayName,
      enrollmentMode: input.enrollmentMode,
      enrollmentTokenType: input.enrollmentTokenType,
      ...(input.tokenExpirationDateTime ? { tokenExpirationDateTime: input.tokenExpirationDateTime } : {}),
      ...(input.deviceNameTemplate !== undefined ? { deviceNameTemplate: input.deviceNameTemplate } : {}),
      ...(input.wifi
        ? {
            configureWifi: true,
            wifiSsid: input.wifi.ssid,
            wifiPassword: input.wifi.password ?? null,
            wifiSecurityType: input.wifi.security ?? 'wpa',
          }
        : {}),
    };
    return profileSchema.parse(await this.request('POST', PATHS.profiles, body, 201));
  }

  async getProfile(id: string): Promise<ProfileEntity> {
    return profileSchema.parse(await this.request('GET', `${PATHS.profiles}/${id}`));
  }

  async updateProfile(id: string, changes: ProfileChanges): Promise<ProfileEntity> {
    return profileSchema.parse(await this.request('PATCH', `${PATHS.profiles}/${id}`, changes));
  }

  async deleteProfile(id: string): Promise<void> {
    await this.request('DELETE', `${PATHS.profiles}/${id}`, undefined, 204);
  }

  /** The profile's current token and its QR code as a PNG (Graph renders qrCodeImage only on $select). */
  async qrCode(
    id: string,
  ): Promise<{ tokenValue: string | null; qrCodeContent: string | null; png: Buffer | null }> {
    const answer = qrCodeSchema.parse(
      await this.request('GET', `${PATHS.profiles}/${id}?$select=tokenValue,qrCodeContent,qrCodeImage`),
    );
    return {
      tokenValue: answer.tokenValue,
      qrCodeContent: answer.qrCodeContent,
      png: answer.qrCodeImage ? Buffer.from(answer.qrCodeImage.value, 'base64') : null,
    };
  }

  /** The profile's current token without its QR code: the PNG is rendered only when it is selected. */
  async tokenOf(id: string): Promise<{ tokenValue: string | null; qrCodeContent: string | null }> {
    return tokenSchema.parse(
      await this.request('GET', `${PATHS.profiles}/${id}?$select=tokenValue,qrCodeContent`),
    );
  }

  async listProfiles(): Promise<ProfileEntity[]> {
    return profileList.parse(await this.request('GET', PATHS.profiles)).value;
  }

  /** "Replace token": a new token; the old one stops working. */
  async createToken(profileId: string, tokenValidityInSeconds?: number): Promise<void> {
    await this.request(
      'POST',
      `${PATHS.profiles}/${profileId}/createToken`,
      tokenValidityInSeconds === undefined ? {} : { tokenValidityInSeconds },
      204,
    );
  }

  async revokeToken(profileId: string): Promise<void> {
    await this.request('POST', `${PATHS.profiles}/${profileId}/revokeToken`, undefined, 204);
  }

  async exportToken(profileId: string, format: 'zeroTouch' | 'knoxMobileEnrollment'): Promise<unknown> {
    return this.request('GET', `/simulator/enrollmentProfiles/${profileId}/tokenExport/${format}`);
  }

  // --- Targeting ------------------------------------------------------------------------------------

  /** platform: Graph's devicePlatformType; androidForWork is Android Enterprise, as every simulated device. */
  async createAssignmentFilter(
    displayName: string,
    rule: string,
    platform = 'androidForWork',
  ): Promise<NamedEntity> {
    return entitySchema.parse(
      await this.request('POST', PATHS.filters, { displayName, rule, platform }, 201),
    );
  }

  async createDynamicDeviceGroup(displayName: string, membershipRule: string): Promise<NamedEntity> {
    return entitySchema.parse(
      await this.request(
        'POST',
        PATHS.groups,
        {
          displayName,
          groupTypes: ['DynamicMembership'],
          membershipRule,
          securityEnabled: true,
          mailEnabled: false,
        },
        201,
      ),
    );
  }

  async createUserGroup(displayName: string, members: string[]): Promise<NamedEntity> {
    const bind = members.map((upn) => `https://graph.microsoft.com/v1.0/users/${encodeURIComponent(upn)}`);
    return entitySchema.parse(
      await this.request(
        'POST',
        PATHS.groups,
        { displayName, securityEnabled: true, mailEnabled: false, 'members@odata.bind': bind },
        201,
      ),
    );
  }

  /** A device configuration profile; by default Android Enterprise fully managed device restrictions. */
  async createDeviceConfiguration(
    displayName: string,
    odataType = '#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration',
    settings: Record<string, unknown> = {},
  ): Promise<NamedEntity> {
    return entitySchema.parse(
      await this.request(
        'POST',
        PATHS.deviceConfiguration,
        { '@odata.type': odataType, displayName, ...settings },
        201,
      ),
    );
  }

  async createCompliancePolicy(
    displayName: string,
    settings: Record<string, unknown> = {},
  ): Promise<NamedEntity> {
    return entitySchema.parse(
      await this.request(
        'POST',
        PATHS.deviceCompliancePolicy,
        { '@odata.type': '#microsoft.graph.androidDeviceOwnerCompliancePolicy', displayName, ...settings },
        201,
      ),
    );
  }

  /** A managed Google Play app. */
  async createManagedStoreApp(
    displayName: string,
    packageId?: string,
    type = 'androidManagedStoreApp',
  ): Promise<NamedEntity> {
    const ids = packageId === undefined ? {} : { packageId, appIdentifier: packageId };
    return entitySchema.parse(
      await this.request(
        'POST',
        PATHS.mobileApp,
        { '@odata.type': `#microsoft.graph.${type}`, displayName, ...ids },
        201,
      ),
    );
  }

  /** Graph's assign action: replaces all of the resource's assignments with these. */
  async assign(kind: AssignableKind, id: string, targets: AssignmentTarget[]): Promise<void> {
    const path = `${PATHS[kind]}/${id}/assign`;
    if (kind === 'mobileApp') {
      const mobileAppAssignments = targets.map((target) => ({
        '@odata.type': '#microsoft.graph.mobileAppAssignment',
        intent: target.intent ?? 'required',
        target: graphTarget(target),
      }));
      await this.request('POST', path, { mobileAppAssignments }, 204);
      return;
    }
    const assignments = targets.map((target) => ({ target: graphTarget(target) }));
    await this.request('POST', path, { assignments });
  }

  // --- Reports --------------------------------------------------------------------------------------

  async managedDevices(query: { filter?: string; top?: number } = {}): Promise<ManagedDevice[]> {
    const params = new URLSearchParams();
    if (query.filter) params.set('$filter', query.filter);
    if (query.top) params.set('$top', String(query.top));
    const suffix = params.size > 0 ? `?${params}` : '';
    return managedDeviceList.parse(await this.request('GET', `${PATHS.managedDevices}${suffix}`)).value;
  }

  async managedDeviceBySerial(serialNumber: string): Promise<ManagedDevice | null> {
    const devices = await this.managedDevices({
      filter: `serialNumber eq '${serialNumber.replace(/'/g, "''")}'`,
    });
    return devices[0] ?? null;
  }

  async ledger(serialNumber?: string): Promise<LedgerEntry[]> {
    const suffix = serialNumber ? `?serialNumber=${encodeURIComponent(serialNumber)}` : '';
    return ledgerList.parse(await this.request('GET', `${PATHS.ledger}${suffix}`)).value;
  }

  // --- Simulator ------------------------------------------------------------------------------------

  async advanceClock(seconds: number): Promise<void> {
    await this.request('POST', PATHS.clock, { advanceSeconds: seconds });
  }

  async now(): Promise<Date> {
    const { now } = clockSchema.parse(await this.request('GET', PATHS.clock));
    return new Date(now);
  }

  private async request(method: string, path: string, body?: unknown, expected = 200): Promise<unknown> {
    const headers: Record<string, string> = {};
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (this.adminKey) headers.authorization = `Bearer ${this.adminKey}`;
    let response: { status: number; text: string };
    try {
      response = await send(new URL(`${this.baseUrl}${path}`), method, headers, payload, this.ca);
    } catch (error) {
      throw new StagesimError(
        'BACKEND_UNREACHABLE',
        `cannot reach the backend at ${this.baseUrl}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const { text } = response;
    if (response.status !== expected) {
      let detail = text.slice(0, 300);
      let code: string | null = null;
      let message: string | null = null;
      try {
        const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
        if (parsed.error) {
          detail = `${parsed.error.code}: ${parsed.error.message}`;
          code = parsed.error.code ?? null;
          message = parsed.error.message ?? null;
        }
      } catch {
        // not JSON: keep the raw text
      }
      throw new AdminApiError(
        `${method} ${path} answered ${response.status} (expected ${expected}): ${detail}`,
        response.status,
        code,
        message,
      );
    }
    return text === '' ? undefined : JSON.parse(text);
  }
}

/**
 * A request sent again on a new socket at most this often: each retry is for a kept-alive socket found
 * closed, and the agent drops each one it finds, so this only bounds a pool of them.
 */
const STALE_SOCKET_ATTEMPTS = 8;

/**
 * One request over node:http with its keep-alive global agent. A harness makes thousands of small
 * admin calls (stage 1 for every path, a check after every step); fetch's machinery cost several times
 * what the call itself does on loopback.
 *
 * A kept-alive socket the server closed while it sat idle (the backend restarted, or stopped and came
 * back) fails the next request written to it with ECONNRESET before any answer: the request never reached
 * a server, so it goes again, on another socket, as Node's documentation of `request.reusedSocket` does.
 * Without that, the first admin call after `restartBackend` failed whenever the agent had not yet seen
 * the close. Any other failure (refused, reset on a new connection) is the caller's.
 */
async function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  payload: string | undefined,
  ca: string | undefined,
): Promise<{ status: number; text: string }> {
  for (let attempt = 1; ; attempt += 1) {
    const sent = await sendOnce(url, method, headers, payload, ca);
    if (!('stale' in sent)) return sent;
    if (attempt === STALE_SOCKET_ATTEMPTS) throw sent.stale;
  }
}

function sendOnce(
  url: URL,
  method: string,
  headers: Record<string, string>,
  payload: string | undefined,
  ca: string | undefined,
): Promise<{ status: number; text: string } | { stale: Error }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers, ...trustingCa(ca) }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () =>
        resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      incoming.on('error', reject);
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (outgoing.reusedSocket && error.code === 'ECONNRESET') resolve({ stale: error });
      else reject(error);
    });
    outgoing.end(payload);
  });
}
