/**
 * The backend's notion of "now". Everything that depends on time (token expiry, enrollment dates in
 * device names, ledger timestamps, rate-limit windows) reads this clock, so a harness can let a token
 * expire, or pin the date a device name shows, by moving it (the /simulator/clock route does that).
 */
export class Clock {
  private offsetMs = 0;

  /** `source` is the underlying time in epoch milliseconds; tests pass a fixed one. */
  constructor(private readonly source: () => number = Date.now) {}

  now(): number {
    return this.source() + this.offsetMs;
  }

  /** How far the clock has been moved from its source, in milliseconds (may be negative). */
  offset(): number {
    return this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.offsetMs += ms;
  }

  /** Puts the clock back on its source, as a new backend's clock is. */
  reset(): void {
    this.offsetMs = 0;
  }

  /** Moves the clock so that now() answers `epochMs` (the source keeps running from there). */
  set(epochMs: number): void {
    if (!Number.isFinite(epochMs)) throw new RangeError(`cannot set the clock to ${epochMs}`);
    this.offsetMs = epochMs - this.source();
  }
}

/** A clock that stands still at `isoOrEpochMs` until advanced: deterministic names and expiry in tests. */
export function fixedClock(isoOrEpochMs: string | number): Clock {
  const at = typeof isoOrEpochMs === 'number' ? isoOrEpochMs : Date.parse(isoOrEpochMs);
  if (Number.isNaN(at)) throw new RangeError(`not a date: ${String(isoOrEpochMs)}`);
  return new Clock(() => at);
}
