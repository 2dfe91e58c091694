import {
  buildProvisioningPayload,
  serializeProvisioningPayload,
  type ProvisioningOptions,
} from '../../../../agent/provisioning/payload';
import { qrCodeImageFor } from '../../qr/renderQrPng';
import type { Profile, TokenRecord } from '../../store/repository';
import { NEVER_EXPIRES_ISO } from '../../tokens';
import { iso, type RouteDeps } from '../routeDeps';

/** The Wi-Fi part of the provisioning payload a profile's QR code carries. */
export function wifiOptions(
  profile: Pick<Profile, 'configureWifi' | 'wifiSsid' | 'wifiPassword' | 'wifiSecurityType' | 'wifiHidden'>,
): ProvisioningOptions['wifi'] {
  // configureWifi is true by default (Graph's documented default); without an SSID there is nothing to join.
  if (!profile.configureWifi || !profile.wifiSsid) return undefined;
  return {
    ssid: profile.wifiSsid ?? '',
    ...(profile.wifiPassword ? { password: profile.wifiPassword } : {}),
    security: profile.wifiSecurityType.toUpperCase() as 'NONE' | 'WPA' | 'WEP',
    hidden: profile.wifiHidden,
  };
}

/** The token a profile hands out now: its current one, unless revoked. Expired tokens are still shown. */
export function usableToken(deps: RouteDeps, profile: Profile): TokenRecord | null {
  const token = profile.currentTokenId ? deps.store.getToken(profile.currentTokenId) : undefined;
  return token && token.state === 'active' && token.value ? token : null;
}

export function qrCodeContentFor(profile: Profile, token: string): string {
  return serializeProvisioningPayload(buildProvisioningPayload({ token, wifi: wifiOptions(profile) }));
}

// Rendering a QR PNG takes milliseconds; profiles are read far more often than their tokens change.
const images = new Map<string, { type: 'image/png'; value: string }>();
function cachedImage(content: string) {
  let image = images.get(content);
  if (!image) {
    if (images.size >= 64) images.delete(images.keys().next().value!);
    image = qrCodeImageFor(content);
    images.set(content, image);
  }
  return image;
}

/**
 * The Graph entity. After revokeToken the profile shows no tokenValue, no QR code, and the revocation
 * time as tokenExpirationDateTime; a token that never expires shows NEVER_EXPIRES_ISO. qrCodeImage is
 * rendered only when asked for with $select=qrCodeImage (null otherwise), as Graph does: the admin
 * center fetches it that way, and a PNG per read would be wasted work.
 */
export function profileView(deps: RouteDeps, profile: Profile, options: { withImage: boolean }) {
  const current = profile.currentTokenId ? deps.store.getToken(profile.currentTokenId) : undefined;
  const usable = current && current.state === 'active' && current.value ? current : null;
  const qrCodeContent = usable ? qrCodeContentFor(profile, usable.value!) : null;
  let tokenExpirationDateTime: string | null = null;
  if (current) {
    if (current.state === 'revoked') tokenExpirationDateTime = iso(current.endedAt!);
    else tokenExpirationDateTime = current.expiresAt === null ? NEVER_EXPIRES_ISO : iso(current.expiresAt);
  }
  return {
    '@odata.type': '#microsoft.graph.androidDeviceOwnerEnrollmentProfile',
    id: profile.id,
    accountId: deps.accountId,
    displayName: profile.displayName,
    description: profile.description,
    enrollmentMode: profile.enrollmentMode,
    enrollmentTokenType: profile.tokenType,
    createdDateTime: iso(profile.createdAt),
    lastModifiedDateTime: iso(profile.modifiedAt),
    tokenValue: usable?.value ?? null,
    tokenCreationDateTime: current ? iso(current.createdAt) : null,
    tokenExpirationDateTime,
    enrolledDeviceCount: deps.store.enrolledDeviceCount(profile.id),
    enrollmentTokenUsageCount: profile.usageCount,
    qrCodeContent,
    qrCodeImage: options.withImage && qrCodeContent ? cachedImage(qrCodeContent) : null,
    deviceNameTemplate: profile.deviceNameTemplate,
    configureWifi: profile.configureWifi,
    wifiSsid: profile.wifiSsid,
    wifiPassword: profile.wifiPassword,
    wifiSecurityType: profile.wifiSecurityType,
    wifiHidden: profile.wifiHidden,
    isTeamsDeviceProfile: profile.isTeamsDeviceProfile,
    roleScopeTagIds: profile.roleScopeTagIds,
    /** Simulator field: the id the ledger records for this profile's current token. */
    simulatorTokenId: current?.id ?? null,
    simulatorTokenState: current ? tokenState(deps, current) : null,
  };
}

function tokenState(deps: RouteDeps, token: TokenRecord): 'active' | 'expired' | 'revoked' | 'replaced' {
  if (token.state !== 'active') return token.state;
  return token.expiresAt !== null && deps.clock.now() >= token.expiresAt ? 'expired' : 'active';
}
