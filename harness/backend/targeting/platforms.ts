import type { DevicePlatformType } from '@microsoft/microsoft-graph-types-beta';
import { z } from 'zod';
import type { EnrollmentMode } from '../../../agent/protocol/enrollment';

/**
 * A filter's platform: Graph beta's devicePlatformType, every member, in Graph's order
 * (microsoft-graph.d.ts `DevicePlatformType`; api-reference/beta/resources/intune-policyset-deviceplatformtype.md).
 */
export const DEVICE_PLATFORM_TYPES = [
  'android',
  'androidForWork',
  'iOS',
  'macOS',
  'windowsPhone81',
  'windows81AndLater',
  'windows10AndLater',
  'androidWorkProfile',
  'unknown',
  'androidAOSP',
  'androidMobileApplicationManagement',
  'iOSMobileApplicationManagement',
  'unknownFutureValue',
  'windowsMobileApplicationManagement',
] as const satisfies readonly DevicePlatformType[];

// Fails to compile when Graph's union gains a member this list lacks.
type Missing = Exclude<DevicePlatformType, (typeof DEVICE_PLATFORM_TYPES)[number]>;
const complete: Missing extends never ? true : Missing = true;
void complete;

export const platformSchema = z
  .enum(DEVICE_PLATFORM_TYPES)
  .refine((platform) => platform !== 'unknownFutureValue', {
    message: "unknownFutureValue is Graph's evolvable-enum sentinel and cannot be a filter's platform",
  });
export type FilterPlatform = (typeof DEVICE_PLATFORM_TYPES)[number];

/** What the Intune admin center calls each platform (filters-device-properties.md "This property applies to"). */
export const PLATFORM_LABELS: Record<FilterPlatform, string> = {
  android: 'Android device administrator',
  androidForWork: 'Android Enterprise',
  iOS: 'iOS/iPadOS',
  macOS: 'macOS',
  windowsPhone81: 'Windows Phone 8.1',
  windows81AndLater: 'Windows 8.1 and later',
  windows10AndLater: 'Windows 10 and later',
  androidWorkProfile: 'Android Enterprise personally-owned work profile',
  unknown: 'unknown',
  androidAOSP: 'Android (AOSP)',
  androidMobileApplicationManagement: 'Android managed apps',
  iOSMobileApplicationManagement: 'iOS/iPadOS managed apps',
  unknownFutureValue: 'unknownFutureValue',
  windowsMobileApplicationManagement: 'Windows managed apps',
};

const MANAGED_APP_PLATFORMS: ReadonlySet<FilterPlatform> = new Set([
  'androidMobileApplicationManagement',
  'iOSMobileApplicationManagement',
  'windowsMobileApplicationManagement',
]);

/** Graph's assignmentFilterManagementType: filters on managed apps take app.* rules, the others device.*. */
export type FilterManagementType = 'devices' | 'apps';
export function managementTypeOf(platform: FilterPlatform): FilterManagementType {
  return MANAGED_APP_PLATFORMS.has(platform) ? 'apps' : 'devices';
}

/**
 * The platform Intune files a managed device under, from how it enrolled. Every corporate-owned Android
 * Enterprise mode (fully managed, dedicated, corporate-owned work profile) is "Android Enterprise",
 * Graph's androidForWork: the admin center's only Android Enterprise filter platform, and the one public
 * kits use for such filters (IntuneHydrationKit Templates/Filters/Android-Filters.json). androidWorkProfile
 * is the personally-owned work profile, which this simulator never enrolls; AOSP modes are androidAOSP.
 */
export function devicePlatformOf(mode: EnrollmentMode | null): FilterPlatform | null {
  switch (mode) {
    case 'corporateOwnedFullyManaged':
    case 'corporateOwnedDedicatedDevice':
    case 'corporateOwnedWorkProfile':
      return 'androidForWork';
    case 'corporateOwnedAOSPUserlessDevice':
    case 'corporateOwnedAOSPUserAssociatedDevice':
      return 'androidAOSP';
    case null:
      return null;
  }
}

/**
 * Whether a filter of `filterPlatform` can target a device Intune files under `devicePlatform`. An Android
 * Enterprise filter covers every Android Enterprise device, the personally-owned work profile included
 * (filters-supported-workloads.md speaks of filters on "Android Enterprise personally-owned devices with
 * work profile"); a personally-owned work profile filter covers only those. Everything else targets its own
 * platform only, so an iOS, macOS or Windows filter never targets an Android device.
 */
export function filterTargetsPlatform(
  filterPlatform: FilterPlatform,
  devicePlatform: FilterPlatform,
): boolean {
  if (filterPlatform === devicePlatform) return true;
  return filterPlatform === 'androidForWork' && devicePlatform === 'androidWorkProfile';
}

/**
 * Whether a filter of `filterPlatform` may be put on an assignment of a policy or app for
 * `payloadPlatform`. The admin center offers only "filters that match the policy platform" (filters.md, "Use
 * a filter"); Android Enterprise policies of either ownership take Android Enterprise and personally-owned
 * work profile filters.
 */
export function filterFitsPayload(filterPlatform: FilterPlatform, payloadPlatform: FilterPlatform): boolean {
  if (filterPlatform === payloadPlatform) return true;
  const androidEnterprise: ReadonlySet<FilterPlatform> = new Set(['androidForWork', 'androidWorkProfile']);
  return androidEnterprise.has(filterPlatform) && androidEnterprise.has(payloadPlatform);
}
