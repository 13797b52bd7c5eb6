import { AbortedError, LlmkitError, UsageError } from '../errors/index.js';
import { AdaptiveConcurrency } from './adaptive-concurrency.js';
import { TokenBucket } from './token-bucket.js';
import type { BatchItem, BatchOptions, BatchProgress, BatchResult, BatchValue } from './types.js';

/** What the runner needs from the client: one call per item, token estimates, the retry settings. */
export interface BatchCaller {
  /** One attempt of an item (the client's own retries off: the runner retries, to see every 429). */
  call(item: BatchItem, signal: AbortSignal): Promise<BatchValue>;
  /** Input tokens plus `maxTokens`, before sending, for the TPM bucket. */
  estimateTokens(item: BatchItem): number;
  retry: { baseDelayMs: number; maxDelayMs: number; maxRetryAfterMs: number };
}

const budgetCodes = new Set(['budget_exceeded', 'budget_store_unavailable']);

/**
 * Runs every item to an end: ok, a recorded error, or skipped. One item's failure never fails the
 * batch; results come back in input order. Scheduling honours the adaptive concurrency limit,
 * the RPM and TPM buckets and any Retry-After the upstream sent (which pauses every start, not
 * just the item's). A budget refusal stops scheduling: in-flight items finish, the rest is
 * `skipped: 'budget'` and can be run again later.
 */
export async function runBatch(
  caller: BatchCaller,
  items: ReadonlyArray<string | BatchItem>,
  options: BatchOptions = {},
): Promise<BatchResult[]> {
  const concurrency = options.concurrency ?? 8;
  const maxRetries = options.maxRetries ?? 3;
  checkWhole('concurrency', concurrency, 1);
  checkWhole('maxRetries', maxRetries, 0);
  if (options.rpm !== undefined) checkWhole('rpm', options.rpm, 1);
  if (options.tpm !== undefined) checkWhole('tpm', options.tpm, 1);
  const normalized = items.map((entry, index) => normalize(entry, index, options.defaults));
  const seen = new Map<string, number>();
  for (const [index, item] of normalized.entries()) {
    const previous = seen.get(item.id);
    if (previous !== undefined) {
      throw new UsageError(`batch items ${previous} and ${index} share the id "${item.id}"`, {
        hint: 'give every item a distinct id, or leave ids out to use positions',
      });
    }
    seen.set(item.id, index);
  }
  return new BatchRun(caller, normalized, { ...options, concurrency, maxRetries }).run();
}

function checkWhole(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new UsageError(`batch ${name} must be a whole number >= ${minimum}, got ${value}`);
  }
}

function normalize(
  entry: string | BatchItem,
  index: number,
  defaults: BatchOptions['defaults'],
): BatchItem & { id: string } {
  const item = typeof entry === 'string' ? { prompt: entry } : entry;
  if ((item.prompt === undefined) === (item.messages === undefined)) {
    throw new UsageError(`batch item ${index} needs exactly one of prompt and messages`, {
      hint: 'give each item { prompt: "..." } or { messages: [...] }',
    });
  }
  return { ...defaults, ...item, id: item.id ?? String(index) };
}

interface Pending {
  index: number;
  attempts: number;
  /** `performance.now()` before which it must not start (its backoff). */
  notBefore: number;
}

class BatchRun {
  private readonly results: Array<BatchResult | undefined>;
  /** The next item never started; items before it have started. */
  private next = 0;
  /** Items waiting to be tried again, each with its backoff. */
  private readonly retries: Pending[] = [];
  private budgetError: LlmkitError | undefined;
  private readonly limit: AdaptiveConcurrency;
  private readonly rpm: TokenBucket | undefined;
  private readonly tpm: TokenBucket | undefined;
  private readonly abort = new AbortController();
  private readonly startedAt = performance.now();
  private inFlight = 0;
  private pausedUntil = 0;
  private stopped: BatchProgress['stopped'];
  private counts = { ok: 0, failed: 0, skipped: 0, totalTokens: 0, costNanos: 0 };
  private timer: NodeJS.Timeout | undefined;
  private fatal: unknown;
  private finish!: () => void;

  constructor(
    private readonly caller: BatchCaller,
    private readonly items: Array<BatchItem & { id: string }>,
    private readonly options: BatchOptions & { concurrency: number; maxRetries: number },
  ) {
    this.results = new Array(items.length);
    this.limit = new AdaptiveConcurrency(options.concurrency);
    this.rpm = options.rpm === undefined ? undefined : new TokenBucket(options.rpm);
    this.tpm = options.tpm === undefined ? undefined : new TokenBucket(options.tpm);
  }

  async run(): Promise<BatchResult[]> {
    const { signal, stopSignal } = this.options;
    const onAbort = () => this.stop('aborted');
    const onStop = () => this.stop('stopped');
    try {
      await new Promise<void>((resolve) => {
        // Assigned before anything can schedule: an already aborted signal finishes at once.
        this.finish = resolve;
        this.reportProgress();
        signal?.addEventListener('abort', onAbort, { once: true });
        stopSignal?.addEventListener('abort', onStop, { once: true });
        if (signal?.aborted) onAbort();
        else if (stopSignal?.aborted) onStop();
        else this.schedule();
      });
      if (this.fatal !== undefined) throw this.fatal;
      return this.results as BatchResult[];
    } finally {
      clearTimeout(this.timer);
      signal?.removeEventListener('abort', onAbort);
      stopSignal?.removeEventListener('abort', onStop);
    }
  }

  /** A progress callback that throws must not wedge the scheduler: it stops the batch instead. */
  private reportProgress(): void {
    try {
      this.options.onProgress?.(this.progress());
    } catch (error) {
      this.fatal ??= error;
      if (this.stopped !== 'aborted') {
        this.stopped = 'aborted';
        this.abort.abort(new AbortedError());
      }
    }
  }

  private stop(reason: NonNullable<BatchProgress['stopped']>): void {
    if (reason === 'aborted') this.abort.abort(new AbortedError());
    if (this.stopped === undefined || reason === 'aborted') this.stopped = reason;
    this.schedule();
  }

  /** Starts what may start now, and sets a timer for the earliest moment something else may. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped !== undefined) {
      for (const pending of this.retries.splice(0)) this.skip(pending);
      while (this.next < this.items.length) this.skip({ index: this.next++, attempts: 0, notBefore: 0 });
    }
    let wakeAt = Number.POSITIVE_INFINITY;
    while (this.waiting() > 0 && this.inFlight < this.limit.limit) {
      const now = performance.now();
      if (this.pausedUntil > now) {
        wakeAt = this.pausedUntil;
        break;
      }
      const retry = this.retries.findIndex((pending) => pending.notBefore <= now);
      if (retry === -1 && this.next >= this.items.length) {
        for (const pending of this.retries) wakeAt = Math.min(wakeAt, pending.notBefore);
        break;
      }
      const index = retry === -1 ? this.next : this.retries[retry]!.index;
      let tokens = 0;
      try {
        tokens = this.tpm ? this.caller.estimateTokens(this.items[index]!) : 0;
      } catch {
        // An item that cannot even be counted (an unknown model) fails on its own call below.
        tokens = 0;
      }
      const wait = Math.max(this.rpm?.waitMs(1) ?? 0, this.tpm?.waitMs(tokens) ?? 0);
      if (wait > 0) {
        wakeAt = now + wait;
        break;
      }
      this.rpm?.take(1);
      this.tpm?.take(tokens);
      // Retries go first: they are the oldest work.
      const pending =
        retry === -1 ? { index: this.next++, attempts: 0, notBefore: 0 } : this.retries.splice(retry, 1)[0]!;
      this.start(pending);
    }
    if (this.waiting() === 0 && this.inFlight === 0) {
      this.finish();
      return;
    }
    if (Number.isFinite(wakeAt)) {
      this.timer = setTimeout(() => this.schedule(), Math.max(1, wakeAt - performance.now()));
    }
  }

  private waiting(): number {
    return this.items.length - this.next + this.retries.length;
  }

  private start(pending: Pending): void {
    this.inFlight++;
    pending.attempts++;
    const item = this.items[pending.index]!;
    // Through a promise, so a call that throws at once fails its item instead of the scheduler.
    Promise.resolve()
      .then(() => this.caller.call(item, this.abort.signal))
      .then(
        (value) =>
          this.settle({
            ok: true,
            id: item.id,
            index: pending.index,
            value,
            attempts: pending.attempts,
          }),
        (error: unknown) => this.failed(pending, error),
      );
  }

  private failed(pending: Pending, caught: unknown): void {
    const item = this.items[pending.index]!;
    const error = LlmkitError.isInstance(caught)
      ? caught
      : new UsageError(
          `batch item "${item.id}" failed: ${caught instanceof Error ? caught.message : String(caught)}`,
        );
    const base = { ok: false as const, id: item.id, index: pending.index, error, attempts: pending.attempts };
    if (budgetCodes.has(error.code)) {
      // The budget has no room: stop starting items; this one was never sent, so it is skipped too.
      this.budgetError ??= error;
      if (this.stopped === undefined) this.stopped = 'budget';
      this.settle({ ...base, skipped: 'budget' });
      return;
    }
    if (error.code === 'aborted' && this.stopped === 'aborted') {
      this.settle({ ...base, skipped: 'aborted' });
      return;
    }
    const { baseDelayMs, maxDelayMs, maxRetryAfterMs } = this.caller.retry;
    // A server asking for a longer wait than we honour is not hammered: the item fails (as in the retry step).
    const waitTooLong = error.retryAfterMs !== undefined && error.retryAfterMs > maxRetryAfterMs;
    const retryable =
      (error.shouldRetry ?? error.retryable) && !waitTooLong && pending.attempts <= this.options.maxRetries;
    if (error.code === 'rate_limit') this.limit.onRateLimited();
    if (retryable && this.stopped !== undefined) {
      // Stopping: an item that would be tried again is left for the next run instead of failing.
      this.settle({ ...base, skipped: this.stopped });
      return;
    }
    if (!retryable) {
      this.settle(base);
      return;
    }
    const now = performance.now();
    let delay = Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (pending.attempts - 1));
    if (error.retryAfterMs !== undefined) {
      // The server said when to come back: nobody starts before then, not just this item.
      delay = error.retryAfterMs;
      this.pausedUntil = Math.max(this.pausedUntil, now + delay);
    }
    pending.notBefore = now + delay;
    this.inFlight--;
    this.retries.push(pending);
    this.schedule();
  }

  private settle(result: BatchResult): void {
    const finish = () => {
      this.inFlight--;
      this.record(result);
      this.schedule();
    };
    if (result.ok) this.limit.onSuccess();
    const onResult = this.options.onResult;
    if (!onResult) {
      finish();
      return;
    }
    // The item counts as done only once the caller has it (the CLI's journal is flushed).
    Promise.resolve()
      .then(() => onResult(result))
      .then(finish, (error: unknown) => {
        this.fatal ??= error;
        this.stop('aborted');
        finish();
      });
  }

  private skip(pending: Pending): void {
    const item = this.items[pending.index]!;
    const reason = this.stopped ?? 'stopped';
    const error = reason === 'budget' && this.budgetError ? this.budgetError : new AbortedError();
    this.record({
      ok: false,
      id: item.id,
      index: pending.index,
      error,
      attempts: pending.attempts,
      skipped: reason,
    });
  }

  private record(result: BatchResult): void {
    this.results[result.index] = result;
    if (result.ok) {
      this.counts.ok++;
      const usage = 'usage' in result.value ? result.value.usage : undefined;
      this.counts.totalTokens += usage?.totalTokens ?? 0;
      this.counts.costNanos += result.value.costNanos ?? 0;
    } else if (result.skipped) this.counts.skipped++;
    else this.counts.failed++;
    this.reportProgress();
  }

  private progress(): BatchProgress {
    const elapsedMs = performance.now() - this.startedAt;
    const done = this.counts.ok + this.counts.failed;
    const ratePerMinute = elapsedMs > 0 ? (done * 60_000) / elapsedMs : 0;
    const remaining = this.items.length - done - this.counts.skipped;
    const progress: BatchProgress = {
      total: this.items.length,
      done,
      ok: this.counts.ok,
      failed: this.counts.failed,
      skipped: this.counts.skipped,
      inFlight: this.inFlight,
      concurrency: this.limit.limit,
      totalTokens: this.counts.totalTokens,
      costNanos: this.counts.costNanos,
      elapsedMs,
      ratePerMinute,
      etaMs: done > 0 ? (remaining * elapsedMs) / done : undefined,
    };
    if (this.stopped) progress.stopped = this.stopped;
    return progress;
  }
}
