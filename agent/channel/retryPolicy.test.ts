import { withRetries } from './retryPolicy';

class Flaky extends Error {}
const isFlaky = (error: unknown) => error instanceof Flaky;
const policy = { attempts: 4, baseDelayMs: 4, maxDelayMs: 8 };

describe('withRetries', () => {
  it('answers the first attempt when it succeeds, and makes no other', async () => {
    const attempts: number[] = [];
    await expect(
      withRetries(policy, isFlaky, async (attempt) => {
        attempts.push(attempt);
        return 'first';
      }),
    ).resolves.toBe('first');
    expect(attempts).toEqual([1]);
  });

  it('retries transient failures, numbering the attempts, until one succeeds', async () => {
    const attempts: number[] = [];
    const result = await withRetries(policy, isFlaky, async (attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw new Flaky(`attempt ${attempt}`);
      return `attempt ${attempt}`;
    });
    expect(result).toBe('attempt 3');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('throws the last transient failure once the attempts are spent', async () => {
    const attempts: number[] = [];
    await expect(
      withRetries(policy, isFlaky, async (attempt) => {
        attempts.push(attempt);
        throw new Flaky(`attempt ${attempt}`);
      }),
    ).rejects.toThrow('attempt 4');
    expect(attempts).toEqual([1, 2, 3, 4]);
  });

  it('passes a failure that is not transient on at once, on the first attempt or a later one', async () => {
    const first: number[] = [];
    await expect(
      withRetries(policy, isFlaky, async (attempt) => {
        first.push(attempt);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(first).toEqual([1]);
    const later: number[] = [];
    await expect(
      withRetries(policy, isFlaky, async (attempt) => {
        later.push(attempt);
        throw attempt === 1 ? new Flaky('dropped') : new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(later).toEqual([1, 2]);
  });

  it('makes one attempt only with a budget of one', async () => {
    const attempts: number[] = [];
    await expect(
      withRetries({ ...policy, attempts: 1 }, isFlaky, async (attempt) => {
        attempts.push(attempt);
        throw new Flaky('dropped');
      }),
    ).rejects.toThrow('dropped');
    expect(attempts).toEqual([1]);
  });
});
