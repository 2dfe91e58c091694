import { medianOf, repeated } from './repeated';

/** Measurements that answer the given wall times in turn, and count how often they were taken. */
function measurements(...wallMs: number[]) {
  let taken = 0;
  let running = 0;
  let overlapped = false;
  const measure = async () => {
    running += 1;
    if (running > 1) overlapped = true;
    await new Promise((resolve) => setImmediate(resolve));
    running -= 1;
    const run = { wallMs: wallMs[taken]!, index: taken };
    taken += 1;
    return run;
  };
  return { measure, taken: () => taken, overlapped: () => overlapped };
}

describe('repeated', () => {
  test('takes the measurement the given number of times, one after another, and keeps every run in order', async () => {
    const m = measurements(1900, 1500, 1700);
    const result = await repeated(3, m.measure);
    expect(m.taken()).toBe(3);
    expect(m.overlapped()).toBe(false);
    expect(result.runs.map((run) => run.wallMs)).toEqual([1900, 1500, 1700]);
  });

  test('the median is the middle run by wall time, with its own fields', async () => {
    const result = await repeated(3, measurements(1900, 1500, 1700).measure);
    expect(result.median).toEqual({ wallMs: 1700, index: 2 });
  });

  test('of an even number of runs the median is the lower middle one, a run that happened', async () => {
    const result = await repeated(4, measurements(40, 10, 30, 20).measure);
    expect(result.median).toEqual({ wallMs: 20, index: 3 });
  });

  test('one run is its own median', async () => {
    const result = await repeated(1, measurements(2005).measure);
    expect(result).toEqual({ median: { wallMs: 2005, index: 0 }, runs: [{ wallMs: 2005, index: 0 }] });
  });

  test.each([0, -1, 2.5, Number.NaN])('%p times is refused before anything is measured', async (times) => {
    const m = measurements(1);
    await expect(repeated(times, m.measure)).rejects.toThrow(
      /^a measurement is taken a whole number of times, at least once, not /,
    );
    expect(m.taken()).toBe(0);
  });

  test('a measurement that fails fails the whole, and nothing after it is taken', async () => {
    let taken = 0;
    const measure = async () => {
      taken += 1;
      if (taken === 2) throw new Error('the suite crashed');
      return { wallMs: 1 };
    };
    await expect(repeated(3, measure)).rejects.toThrow('the suite crashed');
    expect(taken).toBe(2);
  });
});

describe('medianOf', () => {
  const rounds = [
    { wallMs: 30, cpuMs: 5 },
    { wallMs: 10, cpuMs: 9 },
    { wallMs: 20, cpuMs: 7 },
    { wallMs: 40, cpuMs: 6 },
  ];

  test('each figure its own median, a value some round measured (the lower middle of an even count)', () => {
    expect(medianOf(rounds, (round) => round.wallMs)).toBe(20);
    expect(medianOf(rounds, (round) => round.cpuMs)).toBe(6);
    expect(medianOf(rounds.slice(0, 3), (round) => round.wallMs)).toBe(20);
  });

  test('no rounds: a RangeError, not a median of nothing', () => {
    expect(() => medianOf([], () => 1)).toThrow(new RangeError('a median needs at least one run'));
  });
});
