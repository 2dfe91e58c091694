/** Splits `total` into `parts` whole numbers that differ by at most one, the larger ones first. */
export function split(total: number, parts: number): number[] {
  return Array.from(
    { length: parts },
    (_, index) => Math.floor(total / parts) + (index < total % parts ? 1 : 0),
  );
}

/**
 * The devices of part `index` of `count` of a fleet of `devices`: device numbers `first` to
 * `first + size - 1`. The parts are consecutive and together hold every device exactly once, so n
 * processes given 0/n to (n-1)/n run the fleet between them.
 */
export function shardRange(
  devices: number,
  shard: { index: number; count: number } | undefined,
): { first: number; size: number } {
  if (shard === undefined) return { first: 0, size: devices };
  const sizes = split(devices, shard.count);
  const first = sizes.slice(0, shard.index).reduce((sum, size) => sum + size, 0);
  return { first, size: sizes[shard.index]! };
}
