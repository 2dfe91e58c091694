import type { FilterPlatform } from '../platforms';

/**
 * The platform names of the Intune filter reference's "This property applies to" lists, as Graph's
 * devicePlatformType values. Device properties and app properties use the same words for different
 * platforms ("iOS/iPadOS" is iOS for a managed device, iOSMobileApplicationManagement for a managed app).
 */
const DEVICE_LABELS: Record<string, FilterPlatform[]> = {
  'Android device administrator': ['android'],
  'Android Enterprise': ['androidForWork', 'androidWorkProfile'],
  'Android Enterprise (Work profile only)': ['androidForWork', 'androidWorkProfile'],
  'Android (AOSP)': ['androidAOSP'],
  'iOS/iPadOS': ['iOS'],
  macOS: ['macOS'],
  'Windows 11': ['windows10AndLater'],
  'Windows 10': ['windows10AndLater'],
};
const APP_LABELS: Record<string, FilterPlatform[]> = {
  Android: ['androidMobileApplicationManagement'],
  'iOS/iPadOS': ['iOSMobileApplicationManagement'],
  Windows: ['windowsMobileApplicationManagement'],
};

export function platformsOfLabels(entity: 'device' | 'app', labels: readonly string[]): Set<FilterPlatform> {
  const table = entity === 'device' ? DEVICE_LABELS : APP_LABELS;
  return new Set(
    labels.flatMap((label) => {
      const platforms = table[label];
      if (!platforms) throw new Error(`no platform for the reference's "${label}"`);
      return platforms;
    }),
  );
}
