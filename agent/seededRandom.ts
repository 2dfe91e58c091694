// Read once, not per number: under jest every module runs in a vm context, where each read of a global
// such as Math goes through Node's context interceptor, tens of times slower than outside jest
// (harness/bench/runs/2026-12-07T1515Z-jest-global-reads.txt).
const { imul } = Math;

/**
 * The one seeded PRNG of the tree (mulberry32: 32 bits of state, fast, and good enough for test data):
 * the same seed gives the same model paths, devices, typing and camera frames on every run.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
