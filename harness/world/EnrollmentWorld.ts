import { randomInt } from 'node:crypto';
import { TOKEN_ALPHABET, TOKEN_LENGTH } from '../../agent/provisioning/tokenEntry';
import {
  buildProvisioningPayload,
  INTUNE_DEFAULTS,
  PROVISIONING_KEYS,
  serializeProvisioningPayload,
} from '../../agent/provisioning/payload';
import {
  type ConfigurationFormat,
  type DeviceConfigurationInput,
} from '../../agent/provisioning/deviceConfiguration';
import { exportForKnoxMobileEnrollment, exportForZeroTouch } from '../../agent/provisioning/payload';
import { renderQrPng } from '../backend/qr/renderQrPng';
import type { AdminClient, NamedEntity, ProfileEntity, ProfileMode, ProfileTokenType } from './AdminClient';

/**
 * Stage 1 as a harness needs it: the admin's profiles, tokens and targeting, and the tokens a vendor
 * can be handed, good or bad. Everything is named with a prefix so several paths or scenarios can share
 * one backend without seeing each other's profiles.
 */
export type AcceptedFlow = {
  tokenType: 'deviceStaging' | 'default';
  mode: 'corporateOwnedFullyManaged' | 'corporateOwnedWorkProfile';
};

export type RejectedTokenReason =
  'unknown' | 'expired' | 'revoked' | 'replaced' | 'wrongTokenType' | 'modeNotAllowed';

export type QrVariant = 'valid' | 'checksumMismatch' | 'downloadFailed' | 'installFailed' | 'notProvisioning';

export interface OfferedToken {
  token: string;
  /** A PNG of the token's QR code as the vendor shows it to the device. */
  qrPng: Buffer;
  profile: ProfileEntity | null;
}

/** A resource the admin created and assigned, as Graph names it. */
export interface PlannedResource {
  id: string;
  '@odata.type': string;
  displayName: string;
}

/** What the admin assigned, and so what a device must have received at each stage. */
export interface TargetingPlan {
  /** A Wi-Fi configuration profile for all devices through an assignment filter: from stage 2 on. */
  filterPolicy: PlannedResource;
  /** A managed Google Play app (required) for a dynamic device group: only after the user signed in. */
  deviceGroupApp: PlannedResource;
  /** A VPN configuration profile for a user group the tenant user is in: after sign-in. */
  userGroupPolicy: PlannedResource;
}

export type ConfigurationVariant = 'valid' | 'malformed' | 'otherDpc' | 'checksumMismatch' | 'downloadFailed';

const STAGING_VALIDITY_DAYS = 30;
const WRONG_CHECKSUM = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const WRONG_DPC_URL = 'https://downloads.contoso.example/dpc.apk';
/** Google's sample DPC (TestDPC): a device policy controller that is not Intune's. */
export const OTHER_DPC_ADMIN = 'com.afwsamples.testdpc/com.afwsamples.testdpc.DeviceAdminReceiver';
const WIFI = { ssid: 'Contoso-Staging', password: 'staging-passphrase', security: 'wpa' as const };

export function randomTokenValue(): string {
  let value = '';
  for (let i = 0; i < TOKEN_LENGTH; i += 1) value += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
  return value;
}

export class EnrollmentWorld {
  private readonly profiles = new Map<string, ProfileEntity>();

  constructor(
    readonly admin: AdminClient,
    /** Prefixes every name this world creates. */
    readonly prefix: string,
  ) {}

  profileName(flow: AcceptedFlow): string {
    const token = flow.tokenType === 'deviceStaging' ? 'staging' : 'default';
    const mode = flow.mode === 'corporateOwnedWorkProfile' ? 'work profile' : 'fully managed';
    return `${this.prefix} ${token} ${mode}`;
  }

  /** The profile for an accepted flow, created (with a QR code that carries Wi-Fi) on first use. */
  async profileFor(flow: AcceptedFlow): Promise<ProfileEntity> {
    const name = this.profileName(flow);
    const known = this.profiles.get(name);
    if (known) return known;
    const expires = new Date(
      (await this.admin.now()).getTime() + STAGING_VALIDITY_DAYS * 86_400_000,
    ).toISOString();
    const profile = await this.admin.createProfile({
      displayName: name,
      enrollmentMode: flow.mode,
      enrollmentTokenType: flow.tokenType,
      ...(flow.tokenType === 'deviceStaging' ? { tokenExpirationDateTime: expires } : {}),
      wifi: WIFI,
    });
    this.profiles.set(name, profile);
    return profile;
  }

  /**
   * Targeting for a profile as the staging document describes it: an assignment filter on the
   * profile name (the only option in stage 2), a dynamic device group on the same name and a user
   * group with `upn` (both only after the user signs in).
   */
  async targetProfile(profile: ProfileEntity, upn: string): Promise<TargetingPlan> {
    const rule = `(device.enrollmentProfileName -eq "${profile.displayName}")`;
    const planned = (entity: NamedEntity, odataType: string): PlannedResource => ({
      id: entity.id,
      '@odata.type': odataType,
      displayName: entity.displayName,
    });
    const wifi = '#microsoft.graph.androidDeviceOwnerWiFiConfiguration';
    const vpn = '#microsoft.graph.androidDeviceOwnerVpnConfiguration';
    const store = '#microsoft.graph.androidManagedStoreApp';

    const filter = await this.admin.createAssignmentFilter(`${profile.displayName} filter`, rule);
    const filterPolicy = await this.admin.createDeviceConfiguration(
      `${profile.displayName}: stage 2 Wi-Fi policy`,
      wifi,
      {
        networkName: WIFI.ssid,
        ssid: WIFI.ssid,
        wiFiSecurityType: 'wpaPersonal',
      },
    );
    await this.admin.assign('deviceConfiguration', filterPolicy.id, [
      { kind: 'allDevices', filterId: filter.id },
    ]);
    const deviceGroup = await this.admin.createDynamicDeviceGroup(`${profile.displayName} devices`, rule);
    const app = await this.admin.createManagedStoreApp(
      `${profile.displayName}: Microsoft Teams`,
      'com.microsoft.teams',
    );
    await this.admin.assign('mobileApp', app.id, [{ kind: 'group', groupId: deviceGroup.id }]);
    const userGroup = await this.admin.createUserGroup(`${profile.displayName} users`, [upn]);
    const userPolicy = await this.admin.createDeviceConfiguration(
      `${profile.displayName}: user VPN policy`,
      vpn,
    );
    await this.admin.assign('deviceConfiguration', userPolicy.id, [{ kind: 'group', groupId: userGroup.id }]);
    return {
      filterPolicy: planned(filterPolicy, wifi),
      deviceGroupApp: planned(app, store),
      userGroupPolicy: planned(userPolicy, vpn),
    };
  }

  /** Puts a token in the vendor's hand that the enrollment service will accept for `flow`. */
  async validToken(flow: AcceptedFlow, qr: QrVariant = 'valid'): Promise<OfferedToken> {
    const profile = await this.profileFor(flow);
    if (qr !== 'valid') {
      // The QR code is made here, not the admin center's: no need to have the backend render its own.
      const { token } = await this.tokenFor(flow);
      return { token, qrPng: this.craftedQr(token, qr), profile };
    }
    const { token, png } = await this.issued(profile);
    return { token, qrPng: png, profile };
  }

  /**
   * A token the enrollment service will accept for `flow`, without its QR code: a zero-touch or KME
   * configuration carries the token, and the backend renders a PNG only when asked for it (the model
   * suite had 59 codes rendered to show 48).
   */
  async tokenFor(flow: AcceptedFlow): Promise<Omit<OfferedToken, 'qrPng'>> {
    const profile = await this.profileFor(flow);
    const { tokenValue } = await this.admin.tokenOf(profile.id);
    if (!tokenValue) throw new Error(`profile "${profile.displayName}" has no usable token`);
    return { token: tokenValue, profile };
  }

  /** Puts a token in the vendor's hand that the enrollment service will refuse for `reason`. */
  async rejectedToken(reason: RejectedTokenReason): Promise<OfferedToken> {
    const name = `${this.prefix} ${reason}`;
    switch (reason) {
      case 'unknown': {
        const token = randomTokenValue();
        return { token, qrPng: this.craftedQr(token, 'valid'), profile: null };
      }
      case 'expired': {
        const profile = await this.admin.createProfile({
          displayName: name,
          enrollmentMode: 'corporateOwnedFullyManaged',
          enrollmentTokenType: 'deviceStaging',
          wifi: WIFI,
        });
        await this.admin.createToken(profile.id, 60);
        const { token, png } = await this.issued(profile);
        // Let it expire by moving the backend's clock past its end.
        await this.admin.advanceClock(120);
        return { token, qrPng: png, profile };
      }
      case 'revoked': {
        const profile = await this.admin.createProfile({
          displayName: name,
          enrollmentMode: 'corporateOwnedFullyManaged',
          enrollmentTokenType: 'deviceStaging',
          wifi: WIFI,
        });
        const { token, png } = await this.issued(profile);
        await this.admin.revokeToken(profile.id);
        return { token, qrPng: png, profile };
      }
      case 'replaced': {
        const profile = await this.admin.createProfile({
          displayName: name,
          enrollmentMode: 'corporateOwnedFullyManaged',
          enrollmentTokenType: 'deviceStaging',
          wifi: WIFI,
        });
        const { token, png } = await this.issued(profile);
        await this.admin.createToken(profile.id);
        return { token, qrPng: png, profile };
      }
      case 'wrongTokenType':
        return this.tokenOf(
          name,
          'corporateOwnedDedicatedDevice',
          'corporateOwnedDedicatedDeviceWithAzureADSharedMode',
        );
      case 'modeNotAllowed':
        return this.tokenOf(name, 'corporateOwnedDedicatedDevice', 'default');
    }
  }

  private async tokenOf(
    displayName: string,
    enrollmentMode: ProfileMode,
    enrollmentTokenType: ProfileTokenType,
  ): Promise<OfferedToken> {
    const profile = await this.admin.createProfile({
      displayName,
      enrollmentMode,
      enrollmentTokenType,
      wifi: WIFI,
    });
    const { token, png } = await this.issued(profile);
    return { token, qrPng: png, profile };
  }

  /** The profile's current token and the QR code the admin center shows for it. */
  async issued(profile: ProfileEntity): Promise<{ token: string; png: Buffer }> {
    const { tokenValue, png } = await this.admin.qrCode(profile.id);
    if (!tokenValue || !png) throw new Error(`profile "${profile.displayName}" has no usable token`);
    return { token: tokenValue, png };
  }

  /**
   * The zero-touch or KME configuration an admin registers for a device, holding the JSON the admin
   * center exported for `offer`'s token, made wrong in the way `variant` says. A token that can no longer
   * be exported (revoked, expired, replaced) was exported before that happened: the same JSON, made here.
   */
  async configuration(
    offer: Omit<OfferedToken, 'qrPng'>,
    format: ConfigurationFormat,
    variant: ConfigurationVariant,
    exportable: boolean,
  ): Promise<DeviceConfigurationInput> {
    const exported =
      exportable && offer.profile
        ? JSON.stringify(await this.admin.exportToken(offer.profile.id, format), null, 2)
        : format === 'zeroTouch'
          ? exportForZeroTouch(offer.token)
          : exportForKnoxMobileEnrollment(offer.token);
    switch (variant) {
      case 'valid':
        return { format, json: exported };
      case 'malformed':
        // Cut short, as a paste that lost its end.
        return { format, json: exported.slice(0, Math.floor(exported.length / 2)) };
      case 'otherDpc':
        return format === 'zeroTouch'
          ? { format, json: this.tampered(exported, PROVISIONING_KEYS.adminComponentName, OTHER_DPC_ADMIN) }
          : { format, json: exported, dpc: OTHER_DPC_ADMIN.split('/')[0]! };
      case 'checksumMismatch':
        return { format, json: this.tampered(exported, PROVISIONING_KEYS.signatureChecksum, WRONG_CHECKSUM) };
      case 'downloadFailed':
        return {
          format,
          json: this.tampered(exported, PROVISIONING_KEYS.packageDownloadLocation, WRONG_DPC_URL),
        };
    }
  }

  private tampered(json: string, key: string, value: string): string {
    return JSON.stringify({ ...(JSON.parse(json) as Record<string, unknown>), [key]: value }, null, 2);
  }

  /** A QR code that is not what Intune would print: a wrong checksum, download location or component. */
  craftedQr(token: string, variant: QrVariant): Buffer {
    if (variant === 'notProvisioning')
      return renderQrPng('https://contoso.example/this-is-not-an-enrollment-code');
    const payload = buildProvisioningPayload({
      token,
      wifi: { ssid: WIFI.ssid, password: WIFI.password, security: 'WPA' },
    });
    const tampered: Record<string, unknown> = { ...payload };
    if (variant === 'checksumMismatch') tampered[PROVISIONING_KEYS.signatureChecksum] = WRONG_CHECKSUM;
    if (variant === 'downloadFailed') tampered[PROVISIONING_KEYS.packageDownloadLocation] = WRONG_DPC_URL;
    if (variant === 'installFailed')
      tampered[PROVISIONING_KEYS.adminComponentName] = `${INTUNE_DEFAULTS.adminComponentName}Missing`;
    return renderQrPng(
      variant === 'valid' ? serializeProvisioningPayload(payload) : JSON.stringify(tampered),
    );
  }
}
