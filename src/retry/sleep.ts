import { AbortedError, LlmkitError } from '../errors/index.js';

/** Waits `ms`, or rejects as soon as `signal` aborts; the timer never outlives the wait. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The typed reason of an aborted signal: our own TimeoutError, or AbortedError for a caller's abort. */
export function abortReason(signal: AbortSignal): LlmkitError {
  const reason: unknown = signal.reason;
  if (LlmkitError.isInstance(reason)) return reason;
  return new AbortedError({ cause: reason });
}
