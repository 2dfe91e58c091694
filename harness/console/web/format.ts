/** Dates as the admin center shows them: local date and time, to the minute. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (date.getUTCFullYear() >= 9999) return 'never';
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Graph's enum values in words. */
const WORDS: Record<string, string> = {
  corporateOwnedFullyManaged: 'Fully managed',
  corporateOwnedWorkProfile: 'Corporate-owned work profile',
  corporateOwnedDedicatedDevice: 'Dedicated',
  corporateOwnedAOSPUserlessDevice: 'AOSP userless',
  corporateOwnedAOSPUserAssociatedDevice: 'AOSP user-associated',
  deviceStaging: 'Device staging',
  default: 'Default',
  corporateOwnedDedicatedDeviceWithAzureADSharedMode: 'Dedicated, Entra ID shared mode',
  tokenCreated: 'Token redeemed',
  staged: 'Staged',
  adminProvisioned: 'Admin provisioned',
  enrolled: 'Enrolled',
  factoryReset: 'Factory reset',
  notRecorded: 'Not recorded',
};

export function words(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  return WORDS[value] ?? value;
}

/** "position 17" in an API rule error, as a number. */
export function rulePosition(message: string): number | null {
  const match = /position (\d+)/.exec(message);
  return match ? Number(match[1]) : null;
}
