import { LatencyHistogram } from './latencyHistogram';

/** The nearest-rank percentile, worked out here on the sorted samples: the smallest with p % at or below. */
const nearestRank = (sorted: number[], p: number) => sorted[Math.ceil((p / 100) * sorted.length) - 1]!;

describe('LatencyHistogram', () => {
  it('is empty until something is recorded', () => {
    const histogram = LatencyHistogram.empty();
    expect(histogram.count).toBe(0);
    expect(histogram.percentileMs(50)).toBeNull();
  });

  it('gives the nearest-rank percentile exactly below 2.048 ms', () => {
    const histogram = LatencyHistogram.empty();
    // 0.001 ms to 2.000 ms in steps of 1 us, shuffled by a fixed stride.
    const samples = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 2000) + 1).map((us) => us / 1000);
    for (const ms of samples) histogram.record(ms);
    const sorted = [...samples].sort((a, b) => a - b);
    for (const p of [1, 50, 95, 99, 100]) expect(histogram.percentileMs(p)).toBe(nearestRank(sorted, p));
    expect(histogram.count).toBe(2000);
  });

  it('is within 0.1 % of the nearest-rank percentile above, up to an hour', () => {
    const histogram = LatencyHistogram.empty();
    const samples = Array.from({ length: 5000 }, (_, i) => 2.5 + i * 0.731);
    for (const ms of samples) histogram.record(ms);
    for (const p of [50, 90, 99, 99.9]) {
      const exact = nearestRank(samples, p);
      const read = histogram.percentileMs(p)!;
      expect(Math.abs(read - exact) / exact).toBeLessThanOrEqual(0.001);
    }
  });

  it('adds up: two histograms merged read as one of all their samples', () => {
    const [a, b, all] = [LatencyHistogram.empty(), LatencyHistogram.empty(), LatencyHistogram.empty()];
    for (let i = 0; i < 3000; i++) {
      const ms = 0.5 + ((i * 37) % 400) / 10;
      (i % 3 === 0 ? a : b).record(ms);
      all.record(ms);
    }
    a.add(b);
    expect(a.count).toBe(3000);
    for (const p of [50, 95, 99]) expect(a.percentileMs(p)).toBe(all.percentileMs(p));
  });

  it('crosses threads as text and comes back equal, at the same size for 10 latencies or 100,000', () => {
    const few = LatencyHistogram.empty();
    const many = LatencyHistogram.empty();
    for (let i = 0; i < 10; i++) few.record(1 + i);
    for (let i = 0; i < 100_000; i++) many.record(1 + (i % 10));
    const back = LatencyHistogram.decode(many.encode());
    expect(back.count).toBe(100_000);
    expect(back.percentileMs(50)).toBe(many.percentileMs(50));
    // The same ten buckets either way: only their counts differ.
    expect(Math.abs(many.encode().length - few.encode().length)).toBeLessThan(64);
  });

  it('clamps what it cannot hold and refuses what is not a latency, in one line', () => {
    const histogram = LatencyHistogram.empty();
    histogram.record(0);
    histogram.record(0.0001);
    expect(histogram.percentileMs(100)).toBe(0.001);
    histogram.record(5 * 3_600_000);
    expect(histogram.percentileMs(100)).toBeGreaterThanOrEqual(3_600_000 * 0.999);
    expect(histogram.percentileMs(100)).toBeLessThanOrEqual(3_600_000 * 1.001);
    expect(() => histogram.record(Number.NaN)).toThrow(
      'a latency must be a finite number of milliseconds, got NaN',
    );
    expect(() => LatencyHistogram.decode('not a histogram')).toThrow(/^not an encoded latency histogram: /);
    expect(() => LatencyHistogram.decode('not a histogram')).not.toThrow(/\n/);
  });
});
