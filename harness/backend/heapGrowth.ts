import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 may let the heap grow past what survived the last full collection, in percent.
 *
 * A backend serving a fleet keeps a flat live heap (about 40 MB with its 10,000-device cache, at any
 * fleet size), but it allocates fast and every cached device record is promoted to the old generation
 * before the cache drops it. Left to its own heuristics V8 then lets the heap grow to about four times
 * the live heap before it collects, so resident memory follows the allocation rate rather than what the
 * backend keeps: a 269 MB peak against 178 MB with this bound, for the same CPU time, in one measurement
 * (harness/bench/README.md, issue 19's step 21). 50 % is V8's own growing factor for a heap near its
 * limit, applied from the start.
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
