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
  const medianMs = medianOf(runs, (run) => run.wallMs);
  return { median: runs.find((run) => run.wallMs === medianMs)!, runs };
}

/**
 * One figure's median over runs taken (nearest rank, as every percentile here: a figure some run
 * measured). Each figure of a set of rounds is its own median: the rounds of the median wall time need not
 * be those of the median CPU time.
 */
export function medianOf<T>(runs: readonly T[], figure: (run: T) => number): number {
  const median = percentile(runs.map(figure), 50);
  if (median === null) throw new RangeError('a median needs at least one run');
  return median;
}
