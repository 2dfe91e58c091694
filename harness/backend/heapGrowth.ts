import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 may let the heap grow past what survived the last full collection, in percent.
 *
 * A backend serving a fleet keeps a flat live heap (37 MB with its 10,000-device cache, at any fleet
 * size, in backendHeap.js), but it allocates fast and every cached device record is promoted to the old
 * generation before the cache drops it. Left to its own heuristics V8 then lets the heap grow well past
 * the live heap before it collects, so resident memory follows the allocation rate rather than what the
 * backend keeps: 199.8 MB peak against 179.5 MB with this bound, for less CPU, over 30,000 devices
 * (harness/bench/runs/2026-12-06T2257Z-backend-heap-growth.txt; issue 19's step 21 in the bench README).
 * At 50 % the slack stays at half of what survived the last full collection.
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Bounds the heap's growth for the whole process. V8 reads the flag at every full collection, so it
 * takes effect when set at run time. Called by the entries that own a backend process (`stagesim
 * backend`, the fleet's embedded backend) and never by startBackend itself: a backend in a test's or
 * the model suite's process must not change that process's collector.
 */
export function boundHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
