import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LedgerError } from './ledger-error.js';
import type { SqliteBatch } from './sqlite-batch.js';

/** What the writer thread is started with (its `workerData`). */
export interface WriteThreadData {
  path: string;
  busyTimeoutMs: number;
  synchronous: 'normal' | 'full';
}

type WriteThreadRequestBody = { type: 'write'; batch: SqliteBatch } | { type: 'close' };
export type WriteThreadRequest = WriteThreadRequestBody & { id: number };
export interface WriteThreadReply {
  id: number;
  /** The failure, as plain data: `code` is better-sqlite3's (`SQLITE_BUSY`...), for sqliteError. */
  error?: { name: string; message: string; code?: string } | undefined;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Where the built package keeps the writer thread: tsup emits src/ledger/sqlite-write-worker.ts
 * as dist/sqlite-write-worker.js, beside the chunks holding this code. Running from the sources
 * (vitest) or from a bundle that left it out, there is no such file: undefined, and the ledger
 * writes in the calling thread instead.
 */
export function writeWorkerFile(): URL | undefined {
  const url = new URL('./sqlite-write-worker.js', import.meta.url);
  try {
    return existsSync(fileURLToPath(url)) ? url : undefined;
  } catch {
    return undefined; // not a file: URL (a bundle loaded from elsewhere)
  }
}

/**
 * The main thread's handle on the writer thread: posts encoded batches and resolves each once
 * the thread replies that it is committed. The thread starts on the first write (a ledger
 * opened only to read never starts one), keeps the process alive only while a request is
 * outstanding (as an in-thread write would finish before the process exits), and is started
 * again by the next write if it dies.
 */
export class SqliteWriteThread {
  readonly #file: URL;
  readonly #data: WriteThreadData;
  readonly #waiters = new Map<number, Waiter>();
  #worker: Worker | undefined;
  #lastId = 0;
  #closing: Promise<void> | undefined;

  constructor(file: URL, data: WriteThreadData) {
    this.#file = file;
    this.#data = data;
  }

  /** Resolves once the batch is committed; rejects with the thread's error (its `code` kept). */
  write(batch: SqliteBatch): Promise<void> {
    if (this.#closing) {
      return Promise.reject(
        new LedgerError(`ledger file ${this.#data.path} was written to after it was closed`, {
          hint: 'write every row before closing the ledger',
        }),
      );
    }
    return this.#send({ type: 'write', batch });
  }

  /** Waits for the batches already posted, closes the thread's connection, and waits for it to exit. */
  close(): Promise<void> {
    this.#closing ??= this.#stop();
    return this.#closing;
  }

  async #stop(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    try {
      // Requests are answered in order, so this reply comes after every batch posted before it.
      await this.#send({ type: 'close' });
    } finally {
      worker.ref();
      await exited;
    }
  }

  #send(body: WriteThreadRequestBody): Promise<void> {
    const worker = this.#worker ?? this.#start();
    const id = ++this.#lastId;
    return new Promise<void>((resolve, reject) => {
      this.#waiters.set(id, { resolve, reject });
      if (this.#waiters.size === 1) worker.ref();
      worker.postMessage({ id, ...body } satisfies WriteThreadRequest);
    });
  }

  #start(): Worker {
    const worker = new Worker(this.#file, { workerData: this.#data satisfies WriteThreadData });
    worker.unref();
    let crash: Error | undefined;
    worker.on('message', (reply: WriteThreadReply) => this.#answer(worker, reply));
    worker.on('error', (error) => {
      crash = error;
    });
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#worker = undefined;
      // Batches it had not answered may or may not be committed: the writer keeps them and sends
      // them again, which is safe because a stored requestId is skipped.
      const error = new LedgerError(
        `ledger file ${this.#data.path}: its writer thread stopped (${crash?.message ?? `exit code ${code}`})`,
        { hint: 'the rows are kept and written again by a new thread', retryable: true, cause: crash },
      );
      const waiting = [...this.#waiters.values()];
      this.#waiters.clear();
      for (const waiter of waiting) waiter.reject(error);
    });
    this.#worker = worker;
    return worker;
  }

  #answer(worker: Worker, reply: WriteThreadReply): void {
    const waiter = this.#waiters.get(reply.id);
    if (!waiter) return;
    this.#waiters.delete(reply.id);
    if (this.#waiters.size === 0) worker.unref();
    if (reply.error) waiter.reject(Object.assign(new Error(reply.error.message), reply.error));
    else waiter.resolve();
  }
}
