import { nextSnapshot } from '../../agent/model/nextSnapshot';
import type { DeviceEventType } from '../../agent/model/events';
import { statePath, type DeviceSnapshot } from '../../agent/model/inspect';
import { shortestPathsToStates, type ModelPath } from './paths';

export const ENROLLED = 'enrolled.readyForWork';

/** What the vendor never does on the way: the document has the QR code scanned and Wi-Fi joined. */
export const VENDOR_NEVER: ReadonlySet<DeviceEventType> = new Set(['SKIP_NETWORK', 'OPEN_TOKEN_ENTRY']);

const shortest = new Map<string, ModelPath | null>();

/**
 * The shortest way from where the devices are to enrolled, scanning the QR code as the document says.
 * Worked out once per state and what the guards read, and replayed from `from` (whose context, the
 * account or the stage the ledger holds, say, the steps' states carry).
 */
export function onwardPath(from: DeviceSnapshot): ModelPath | null {
  const path = shortestOnward(from);
  if (!path) return null;
  let state = from;
  const steps = path.steps.map((step) => {
    state = nextSnapshot(state, step.event);
    return { ...step, state, path: statePath(state) };
  });
  return { ...path, steps };
}

function shortestOnward(from: DeviceSnapshot): ModelPath | null {
  const { welcomeTaps, tokenSource, flow, mode, workProfileCreated } = from.context;
  const key = `${statePath(from)}|${welcomeTaps}|${tokenSource}|${flow}|${mode}|${workProfileCreated}`;
  if (!shortest.has(key)) {
    const paths = shortestPathsToStates({
      from,
      to: (state) => statePath(state) === ENROLLED,
      // The device has no zero-touch or KME configuration: the vendor scans the QR code.
      allow: (_state, event) => !VENDOR_NEVER.has(event.type) && event.type !== 'CONFIGURATION_FOUND',
    });
    shortest.set(key, paths.sort((a, b) => a.steps.length - b.steps.length)[0] ?? null);
  }
  return shortest.get(key)!;
}
