/**
 * The Android-version rules of enrollment, each said once: the enrollment service applies them to the
 * device's reported release, the simulated device to its own network, and the model suite's planner
 * picks a device release that allows every outcome of a path from them (domain-facts.md:
 * Intune needs Android 8.0 or later; typing the token is not supported for a corporate-owned work
 * profile on Android 11+; from Android 10 fully managed provisioning needs a network, mobile data only
 * when the QR code allows it).
 */
export const ANDROID_RULES = {
  /** The oldest major release Intune enrolls. */
  minimumSupported: 8,
  /** From this release on, a corporate-owned work profile cannot be enrolled with a typed token. */
  typedWorkProfileRefusedFrom: 11,
  /** From this release on, provisioning uses mobile data only when the QR code says it may. */
  mobileDataNeedsQrConsentFrom: 10,
} as const;

export function androidMajor(osVersion: string): number {
  return Number.parseInt(osVersion, 10);
}

export function isAndroidSupported(osVersion: string): boolean {
  return androidMajor(osVersion) >= ANDROID_RULES.minimumSupported;
}

export function refusesTypedWorkProfile(osVersion: string): boolean {
  return androidMajor(osVersion) >= ANDROID_RULES.typedWorkProfileRefusedFrom;
}

export function mayUseMobileData(osVersion: string, qrAllowsMobileData: boolean): boolean {
  return androidMajor(osVersion) < ANDROID_RULES.mobileDataNeedsQrConsentFrom || qrAllowsMobileData;
}
