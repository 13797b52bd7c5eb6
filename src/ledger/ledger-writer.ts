import { checkRecord } from './check-batch.js';
import { LedgerError } from './ledger-error.js';
import type { AttemptRow, CallRow, LedgerStore } from './ledger-store.js';

export interface LedgerWriterOptions {
  /** Rows held in memory (waiting or being written); when full, `record` waits for room. */
  queueSize: number;
  /** Longest a buffered row waits before its batch is written. */
  flushIntervalMs: number;
  /** `buffered`: `record` returns at once. `sync`: `record` resolves once the row is committed. */
  durability: 'buffered' | 'sync';
  /** Called on each failed write, with how many rows the batch held; the rows are kept and retried. */
  onError?: (error: unknown, rows: number) => void;
}

interface Entry {
  sequence: number;
  call: CallRow;
  attempts: AttemptRow[];
}

interface CommitWaiter {
  sequence: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface RoomWaiter {
  admit: () => void;
  reject: (error: unknown) => void;
}

// Bounds how long one SQLite batch holds the thread writing it (better-sqlite3 is synchronous:
// a few ms for 250 rows with tags and an attempt), which is the event loop when the store writes
// in-thread, while still sharing each commit among many rows. Larger batches (1,000, 2,500) did
// not lower the writer thread's cost per row measurably in the client benchmark.
const largestBatch = 250;
const maxRetryDelayMs = 5000;
// Once close() has begun, a store failing this many times in a row is given up on: the process
// is ending and cannot hold the rows anywhere else.
const closeAttempts = 3;

/**
 * Writes ledger rows in batches, one transaction each, off the call path. Rows are kept in
 * order; a failed batch is retried with backoff and reported through `onError`, never thrown
 * into a call. Rows are never dropped while the writer is open: a full queue makes `record` wait.
 */
export class LedgerWriter {
  readonly #store: LedgerStore;
  readonly #options: LedgerWriterOptions;
  readonly #batchRows: number;
  /** Rows not yet committed, oldest first; the head may be the batch being written. */
  readonly #queue: Entry[] = [];
  #roomWaiters: RoomWaiter[] = [];
  #commitWaiters: CommitWaiter[] = [];
  #lastSequence = 0;
  #committed = 0;
  /** Rows up to this sequence are due now (timer fired, batch full, flush, sync record). */
  #due = 0;
  #draining: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #wakeRetry: (() => void) | undefined;
  #failures = 0;
  #closing: Promise<void> | undefined;

  constructor(store: LedgerStore, options: LedgerWriterOptions) {
    if (!Number.isInteger(options.queueSize) || options.queueSize < 1) {
      throw new RangeError(`ledger queueSize must be a whole number > 0, got ${options.queueSize}`);
    }
    this.#store = store;
    this.#options = options;
    this.#batchRows = Math.min(options.queueSize, largestBatch);
  }

  /** Rows recorded but not yet committed, including any waiting for room. */
  get pending(): number {
    return this.#queue.length + this.#roomWaiters.length;
  }

  record(call: CallRow, attempts: AttemptRow[]): Promise<void> {
    if (this.#closing) {
      return Promise.reject(
        new LedgerError(`ledger row ${call.requestId} recorded after the writer was closed`, {
          hint: 'record every call before closing the client or the ledger writer',
        }),
      );
    }
    try {
      checkRecord(call, attempts);
    } catch (error) {
      return Promise.reject(error);
    }
    // Waiters go first, so a row never overtakes one recorded before it.
    if (this.#roomWaiters.length === 0 && this.#queue.length < this.#options.queueSize) {
      return this.#enqueue(call, attempts);
    }
    this.#retryTimer?.ref();
    return new Promise<void>((resolve, reject) => {
      this.#roomWaiters.push({ admit: () => resolve(this.#enqueue(call, attempts)), reject });
    });
  }

  /** Resolves once every row recorded before this call is committed. */
  flush(): Promise<void> {
    // Rows waiting for room are admitted in order, so they will take the next sequences.
    const sequence = this.#lastSequence + this.#roomWaiters.length;
    if (sequence <= this.#committed) return Promise.resolve();
    this.#due = Math.max(this.#due, sequence);
    this.#retryTimer?.ref();
    const committed = new Promise<void>((resolve, reject) => {
      this.#commitWaiters.push({ sequence, resolve, reject });
    });
    this.#startDrain();
    return committed;
  }

  /** Flushes, then closes the store. Idempotent. Rejects if rows could not be written. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Retry now rather than after a backoff chosen while the process still had time.
    this.#failures = 0;
    this.#wakeRetry?.();
    let failure: unknown;
    try {
      await this.flush();
    } catch (error) {
      failure = error;
    }
    try {
      await this.#store.close();
    } catch (error) {
      failure ??= error;
    }
    if (failure !== undefined) throw failure;
  }

  #enqueue(call: CallRow, attempts: AttemptRow[]): Promise<void> {
    const sequence = ++this.#lastSequence;
    this.#queue.push({ sequence, call, attempts });
    if (this.#options.durability === 'sync') {
      this.#due = sequence;
      this.#retryTimer?.ref();
      const committed = new Promise<void>((resolve, reject) => {
        this.#commitWaiters.push({ sequence, resolve, reject });
      });
      this.#startDrain();
      return committed;
    }
    if (this.#queue.length >= this.#batchRows) {
      this.#due = sequence;
      this.#startDrain();
    } else {
      this.#armTimer();
    }
    return Promise.resolve();
  }

  #armTimer(): void {
    if (this.#timer || this.#closing) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#due = Math.max(this.#due, this.#lastSequence);
      this.#startDrain();
    }, this.#options.flushIntervalMs);
    // A buffered row must not keep a finished process alive; close() is how to keep it.
    this.#timer.unref();
  }

  #startDrain(): void {
    if (this.#draining) return;
    // Start on the next microtask, so the rows recorded in the same tick share one transaction.
    this.#draining = Promise.resolve()
      .then(() => this.#drain())
      .finally(() => {
        this.#draining = undefined;
        const next = this.#queue[0];
        if (next && next.sequence <= this.#due) this.#startDrain();
        else if (next) this.#armTimer();
      });
  }

  async #drain(): Promise<void> {
    for (let head = this.#queue[0]; head && head.sequence <= this.#due; head = this.#queue[0]) {
      const batch = this.#queue.slice(0, this.#batchRows);
      try {
        await this.#store.write({
          calls: batch.map((entry) => entry.call),
          attempts: batch.flatMap((entry) => entry.attempts),
        });
      } catch (error) {
        this.#failures += 1;
        this.#report(error, batch.length);
        if (this.#closing && this.#failures >= closeAttempts) return this.#abandon(error);
        await this.#retryDelay();
        continue;
      }
      this.#failures = 0;
      this.#queue.splice(0, batch.length);
      this.#committed = batch.at(-1)!.sequence;
      this.#settle();
    }
  }

  #settle(): void {
    const waiting: CommitWaiter[] = [];
    for (const waiter of this.#commitWaiters) {
      if (waiter.sequence <= this.#committed) waiter.resolve();
      else waiting.push(waiter);
    }
    this.#commitWaiters = waiting;
    while (this.#roomWaiters.length > 0 && this.#queue.length < this.#options.queueSize) {
      this.#roomWaiters.shift()!.admit();
    }
  }

  #report(error: unknown, rows: number): void {
    const onError = this.#options.onError;
    if (!onError) {
      if (this.#failures === 1)
        process.emitWarning(`llmkit ledger: a write of ${rows} rows failed and is retried: ${error}`);
      return;
    }
    try {
      onError(error, rows);
    } catch {
      // A failing error reporter must not stop the rows from being retried.
    }
  }

  #retryDelay(): Promise<void> {
    const base = Math.min(maxRetryDelayMs, 100 * 2 ** (this.#failures - 1));
    // Jitter, so processes sharing a locked SQLite file do not retry in lockstep.
    const delay = base / 2 + Math.random() * (base / 2);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      // Keep the process alive only while someone awaits these rows (a sync record, flush or
      // close); whoever starts waiting during the delay refs the timer (see record and flush).
      if (this.#commitWaiters.length === 0 && this.#roomWaiters.length === 0 && !this.#closing) timer.unref();
      this.#retryTimer = timer;
      this.#wakeRetry = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.#retryTimer = undefined;
      this.#wakeRetry = undefined;
    });
  }

  /** close() gave up on a store that keeps failing: reject everyone still waiting for these rows. */
  #abandon(cause: unknown): void {
    const lost = this.pending;
    const error = new LedgerError(`${lost} ledger rows were not written before close: ${String(cause)}`, {
      hint: 'fix the ledger storage named above; these calls are missing from usage reports',
      cause,
    });
    this.#queue.length = 0;
    this.#committed = this.#lastSequence;
    for (const waiter of this.#commitWaiters) waiter.reject(error);
    for (const waiter of this.#roomWaiters) waiter.reject(error);
    this.#commitWaiters = [];
    this.#roomWaiters = [];
  }
}
