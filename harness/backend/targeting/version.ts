/**
 * Version values of Intune's operatingSystemVersion (filters-device-properties.md: "Enter a version value",
 * e.g. 10.0.22000.1000 or 14.2.1): dot-separated whole numbers, compared part by part, missing parts as 0,
 * so Android's "13" equals "13.0" and is below "13.0.1".
 */
export type Version = readonly number[];

const VERSION_PATTERN = /^\d{1,9}(\.\d{1,9}){0,3}$/;
export const VERSION_REGEX_SOURCE = VERSION_PATTERN.source;

export function parseVersion(text: string): Version | null {
  const trimmed = text.trim();
  return VERSION_PATTERN.test(trimmed) ? trimmed.split('.').map(Number) : null;
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}
