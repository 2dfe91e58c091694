/**
 * The one percentile of the tree: nearest rank (the smallest sample with at least p % of the samples at
 * or below it), so every figure it reports is a latency that was measured. Null when there are none.
 */
export function percentile(samples: ArrayLike<number>, p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Several percentiles of one set of samples, sorted once: `{ 50: …, 99: … }`. */
export function percentilesOf<P extends number>(
  samples: ArrayLike<number>,
  ps: readonly P[],
): Record<P, number | null> {
  const sorted = Float64Array.from(samples).sort();
  return Object.fromEntries(ps.map((p) => [p, percentile(sorted, p)])) as Record<P, number | null>;
}
