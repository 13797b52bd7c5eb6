import { LlmkitError } from '../errors/index.js';

export interface RetryOptions {
  /** Retries after the first attempt; 2 means up to 3 attempts. */
  maxRetries: number;
  /** First backoff step; doubles each retry. */
  baseDelayMs: number;
  /** Ceiling of one backoff step. */
  maxDelayMs: number;
  /** The longest server-requested wait we accept; a longer one fails at once. */
  maxRetryAfterMs?: number;
}

export type RetryDecision =
  | { retry: true; delayMs: number; reason: string }
  | {
      retry: false;
      reason: string /** The server wanted a wait we will not make. */;
      deadlineExceeded?: boolean;
    };

export interface RetryState {
  /** Attempts made so far, including the one that just failed (1 after the first). */
  attempts: number;
  /** Milliseconds left before the caller's deadline, if any. */
  remainingMs?: number | undefined;
  /** True once a content delta reached the caller: a retry would repeat or garble output. */
  deliveredOutput?: boolean;
  random?: () => number;
}

const defaultMaxRetryAfterMs = 60_000;

/**
 * Whether and when to try again. Reads top to bottom like a table:
 *  1. output already delivered, not our error, or attempts used up: stop;
 *  2. the server said `x-should-retry`: obey it;
 *  3. the error class is not retryable (400, 401, 403, 404, quota...): stop;
 *  4. the server asked for a wait (`retry-after-ms`, `retry-after`): wait exactly that,
 *     unless it is past the cap or the deadline, then stop at once rather than sleep in vain;
 *  5. otherwise exponential backoff with full jitter, trimmed to the deadline.
 */
export function retryDecision(error: unknown, options: RetryOptions, state: RetryState): RetryDecision {
  if (state.deliveredOutput) return { retry: false, reason: 'output already reached the caller' };
  if (!LlmkitError.isInstance(error)) return { retry: false, reason: 'not an upstream error' };
  if (state.attempts > options.maxRetries)
    return { retry: false, reason: `gave up after ${state.attempts} attempts` };
  if (error.shouldRetry === false) return { retry: false, reason: 'server sent x-should-retry: false' };
  if (error.shouldRetry !== true && !error.retryable)
    return { retry: false, reason: `${error.code} is not retryable` };

  const hint = error.retryAfterMs;
  if (hint !== undefined) {
    const cap = options.maxRetryAfterMs ?? defaultMaxRetryAfterMs;
    if (hint > cap) {
      return {
        retry: false,
        reason: `server asked to wait ${hint} ms, over the ${cap} ms cap`,
        deadlineExceeded: true,
      };
    }
    if (state.remainingMs !== undefined && hint >= state.remainingMs) {
      return {
        retry: false,
        reason: `server asked to wait ${hint} ms but only ${Math.max(0, Math.round(state.remainingMs))} ms remain before the deadline`,
        deadlineExceeded: true,
      };
    }
    return { retry: true, delayMs: hint, reason: 'server retry hint' };
  }

  const random = state.random ?? Math.random;
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (state.attempts - 1));
  let delayMs = Math.round(random() * ceiling);
  if (state.remainingMs !== undefined) {
    if (state.remainingMs <= 0) return { retry: false, reason: 'deadline reached', deadlineExceeded: true };
    delayMs = Math.min(delayMs, Math.max(0, Math.floor(state.remainingMs) - 1));
  }
  return { retry: true, delayMs, reason: 'exponential backoff' };
}
