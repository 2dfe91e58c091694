import * as hdr from 'hdr-histogram-js';

/**
 * Latencies kept as an HdrHistogram (hdr-histogram-js, the port autocannon uses): its memory is fixed
 * however many it holds, where a list of samples grows by 8 bytes a latency, and two of
 * them add up (a fleet's shards, its transitions). Values are whole microseconds from 1 us to an hour
 * with 3 significant digits: a percentile is the nearest-rank one of the samples to within its bucket,
 * which is exact below 2.048 ms and within 0.1 % either way above (harness/statistics/percentile.ts keeps
 * exact percentiles for sets that stay small).
 */
const HIGHEST_US = 3_600_000_000;
const SETTINGS = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: HIGHEST_US,
  numberOfSignificantValueDigits: 3,
  bitBucketSize: 32,
} as const;

export class LatencyHistogram {
  private constructor(private readonly histogram: hdr.Histogram) {}

  static empty(): LatencyHistogram {
    return new LatencyHistogram(hdr.build(SETTINGS));
  }

  /** A histogram from encode()'s text (as it crosses from a worker thread); one line on bad input. */
  static decode(encoded: string): LatencyHistogram {
    let decoded: hdr.Histogram;
    try {
      decoded = hdr.decodeFromCompressedBase64(encoded, SETTINGS.bitBucketSize);
    } catch (error) {
      throw new Error(`not an encoded latency histogram: ${(error as Error).message.split('\n')[0]}`, {
        cause: error,
      });
    }
    // Into our own settings, so every histogram of a run has the same buckets.
    const histogram = LatencyHistogram.empty();
    histogram.histogram.add(decoded);
    return histogram;
  }

  /** Records a latency in milliseconds; one under 1 us counts as 1 us, one over an hour as an hour. */
  record(ms: number): void {
    if (!Number.isFinite(ms)) throw new Error(`a latency must be a finite number of milliseconds, got ${ms}`);
    this.histogram.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
  }

  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** The p-th percentile (0-100) in milliseconds; null when nothing was recorded. */
  percentileMs(p: number): number | null {
    if (this.count === 0) return null;
    return this.histogram.getValueAtPercentile(p) / 1000;
  }

  /** Compressed text of the counts, to send to another thread. */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }
}
