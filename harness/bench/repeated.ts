import { percentile } from '../statistics/percentile';

/** Every run of one measurement, in the order taken, and the run whose wall time is their median. */
export interface Repeated<T extends { wallMs: number }> {
  median: T;
  runs: T[];
}

/**
 * Takes a measurement `times` times, one after another (never at once: they would share the cores),
 * and answers the median run by wall time. Nearest rank, as every percentile here, so the median is a
 * run that happened (the lower middle one of an even number), with its own CPU time and counts.
 */
export async function repeated<T extends { wallMs: number }>(
  times: number,
  measure: () => Promise<T>,
): Promise<Repeated<T>> {
  if (!Number.isInteger(times) || times < 1)
    throw new RangeError(`a measurement is taken a whole number of times, at least once, not ${times}`);
  const runs: T[] = [];
  for (let run = 0; run < times; run += 1) runs.push(await measure());
  const medianMs = percentile(
    runs.map((run) => run.wallMs),
    50,
  )!;
  return { median: runs.find((run) => run.wallMs === medianMs)!, runs };
}
