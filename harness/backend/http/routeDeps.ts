import type { Clock } from '../clock';
import type { BackendStore } from '../store/repository';

/** What every admin route needs. */
export interface RouteDeps {
  store: BackendStore;
  clock: Clock;
  /** Graph's accountId: the tenant the simulated profiles belong to. */
  accountId: string;
  /** One line per notable admin action (tokens appear masked). */
  log: (line: string) => void;
}

export function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** A Graph id in a path: anything else cannot name a resource, so it is answered 404 without a lookup. */
export const ID_PATTERN = /^[0-9a-fA-F-]{1,64}$/;
