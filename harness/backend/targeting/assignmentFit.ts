import { filterFitsPayload, PLATFORM_LABELS, platformSchema, type FilterPlatform } from './platforms';

/**
 * Whether an assignment filter may go on an assignment of a policy or app made for `payloadPlatform`:
 * null when it may, otherwise the reason, one line. The admin center lists only "filters that match the
 * policy platform" (filters.md); Graph refuses the rest (400) through the routes that call this.
 */
export function filterAssignmentProblem(
  filter: { displayName: string; platform: string },
  payloadPlatform: FilterPlatform,
): string | null {
  const parsed = platformSchema.safeParse(filter.platform);
  const platform = parsed.success ? parsed.data : null;
  if (platform !== null && filterFitsPayload(platform, payloadPlatform)) return null;
  return `assignment filter "${filter.displayName}" is for ${platform ? `${PLATFORM_LABELS[platform]} (${platform})` : `platform ${filter.platform}`}; an assignment of a ${PLATFORM_LABELS[payloadPlatform]} (${payloadPlatform}) policy or app takes filters of its own platform`;
}
