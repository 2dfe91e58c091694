import pRetry, { AbortError } from 'p-retry';
import { z } from 'zod';

/**
 * The one retry policy of a device's requests to the enrollment service, on p-retry (the well-kept
 * wrapper of `retry`: exponential backoff with jitter, a fixed number of attempts). Only the device
 * channel client retries; nothing above it retries again, so one request makes at most `attempts`
 * connection attempts and a device gives up on a backend that is gone after one budget.
 */
export const retryPolicySchema = z.object({
  /** Attempts per request, the first included. */
  attempts: z.number().int().min(1).max(100),
  /** The first wait; each next one doubles, up to maxDelayMs. Every wait is a random 50-100 % of it. */
  baseDelayMs: z.number().int().min(0),
  maxDelayMs: z.number().int().min(0),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

/**
 * The budget, set here and nowhere else: 10 attempts, waits from 50-100 ms doubling up to 3 s, 12.2-15.1 s
 * of waiting in all (waitBounds) before a request gives up with NETWORK_UNAVAILABLE. That rides out a
 * backend restart on a busy machine (a budget of 5 attempts and 2 s lost most of a fleet to an
 * 8-second restart), and is how long a fleet takes to give up on a backend that died for good.
 */
export const RETRY_BUDGET: RetryPolicy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 3_000 };

/** The least and most a request waits in all before it gives up under `policy`. */
export function waitBounds(policy: RetryPolicy): { leastMs: number; mostMs: number } {
  let leastMs = 0;
  let mostMs = 0;
  for (let retry = 1; retry < policy.attempts; retry += 1) {
    const doubled = policy.baseDelayMs * 2 ** (retry - 1);
    leastMs += Math.min(policy.maxDelayMs, doubled / 2);
    mostMs += Math.min(policy.maxDelayMs, doubled);
  }
  return { leastMs, mostMs };
}

/**
 * Runs `attempt` until it succeeds, throws something `isTransient` refuses (passed on at once), or the
 * policy's attempts are spent (the last transient failure is thrown).
 *
 * The first attempt runs on its own: nearly every request succeeds at once, and p-retry builds its
 * operation (every wait of the budget worked out up front, a timer per wait, two promises) for each
 * call; a fleet makes five calls a device. Only a first attempt that fails transiently goes on to
 * p-retry, after the first wait, with the rest of the budget and the same waits.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  isTransient: (error: unknown) => boolean,
  attempt: (attemptNumber: number) => Promise<T>,
): Promise<T> {
  try {
    return await attempt(1);
  } catch (error) {
    if (!isTransient(error) || policy.attempts === 1) throw asError(error);
  }
  // p-retry's jitter multiplies by 1-2, so half the base gives waits of 50-100 % of base * 2^n.
  await sleep(Math.min(policy.maxDelayMs, (policy.baseDelayMs / 2) * (1 + Math.random())));
  return pRetry(
    async (retried) => {
      try {
        return await attempt(retried + 1);
      } catch (error) {
        if (isTransient(error)) throw error;
        throw new AbortError(asError(error));
      }
    },
    {
      retries: policy.attempts - 2,
      factor: 2,
      // The first wait is behind: p-retry's waits start one doubling on.
      minTimeout: policy.baseDelayMs,
      maxTimeout: policy.maxDelayMs,
      randomize: true,
    },
  );
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
