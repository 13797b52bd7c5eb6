import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { checkBatch } from './check-batch.js';
import {
  type AttemptColumns,
  attemptFromColumns,
  type CallColumns,
  callFromColumns,
} from './ledger-columns.js';
import { LedgerError } from './ledger-error.js';
import type {
  AttemptRow,
  CallLookup,
  CallRow,
  LedgerStore,
  StoredCall,
  Summary,
  SummaryQuery,
} from './ledger-store.js';
import { encodeSqliteBatch, type SqliteBatch, sqliteBatchWriter } from './sqlite-batch.js';
import { sqliteError } from './sqlite-error.js';
import { migrateSqlite } from './sqlite-schema.js';
import { SqliteWriteThread, writeWorkerFile } from './sqlite-write-thread.js';
import { type AggregateRow, type GroupedRow, summaryFromRows } from './summary-from-rows.js';
import { summarySql } from './summary-sql.js';

export interface SqliteLedgerOptions {
  /** How long a write waits for another connection's lock before failing; default 5000 ms. */
  busyTimeoutMs?: number;
  /**
   * `normal` (default): a commit survives the process being killed, as the WAL is already in the
   * OS. `full`: it also survives power loss or an OS crash, at the price of an fsync per commit.
   */
  synchronous?: 'normal' | 'full';
  /**
   * Where inserts and commits run. `worker`: a worker thread with its own connection, so a batch
   * never holds the event loop. `main`: the calling thread. Default: `worker` when the built
   * package's worker file is present, `main` otherwise (running from the sources, or from a bundle
   * that left the file out). Asking for `worker` without the file is a LedgerError.
   */
  writeThread?: 'worker' | 'main';
}

/** The SQLite store, saying where its writes run. */
export interface SqliteLedgerStore extends LedgerStore, CallLookup {
  readonly writeThread: 'worker' | 'main';
}

class SqliteLedger implements SqliteLedgerStore {
  readonly backend = 'sqlite';
  readonly writeThread: 'worker' | 'main';
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #busyTimeoutMs: number;
  readonly #thread: SqliteWriteThread | undefined;
  readonly #writeBatch: ((batch: SqliteBatch) => void) | undefined;

  /** Writes go to `thread` when given; `db` then only reads. */
  constructor(
    db: Database.Database,
    path: string,
    busyTimeoutMs: number,
    thread: SqliteWriteThread | undefined,
  ) {
    this.#db = db;
    this.#path = path;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#thread = thread;
    this.#writeBatch = thread ? undefined : sqliteBatchWriter(db);
    this.writeThread = thread ? 'worker' : 'main';
  }

  #guard<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(
        error instanceof RangeError ? error : sqliteError(this.#path, error, this.#busyTimeoutMs),
      );
    }
  }

  write(batch: { calls: CallRow[]; attempts: AttemptRow[] }): Promise<void> {
    let encoded: SqliteBatch;
    try {
      checkBatch(batch);
      if (batch.calls.length === 0) return Promise.resolve();
      encoded = encodeSqliteBatch(batch);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!this.#thread) return this.#guard(() => this.#writeBatch!(encoded));
    return this.#thread
      .write(encoded)
      .catch((error: unknown) => Promise.reject(sqliteError(this.#path, error, this.#busyTimeoutMs)));
  }

  summary(query: SummaryQuery): Promise<Summary> {
    return this.#guard(() => {
      const sql = summarySql(query, { placeholder: () => '?', table: (name) => name });
      // Safe integers: sums come back as bigint, so a total past 2^53 is refused, not rounded.
      const grouped = this.#db.prepare(sql.grouped).safeIntegers(true);
      const totals = this.#db.prepare(sql.totals).safeIntegers(true);
      // One read transaction, so rows and totals come from the same snapshot.
      const read = this.#db.transaction(() => ({
        grouped: grouped.all(...sql.parameters) as GroupedRow[],
        totals: totals.all(...sql.parameters) as AggregateRow[],
      }));
      const rows = read();
      return summaryFromRows(query, rows.grouped, rows.totals);
    });
  }

  findCall(requestId: string): Promise<StoredCall | undefined> {
    return this.#guard(() => {
      const row = this.#db.prepare('select * from calls where request_id = ?').get(requestId) as
        | (Omit<CallColumns, 'streamed'> & { streamed: number })
        | undefined;
      if (!row) return undefined;
      const attempts = this.#db
        .prepare('select * from attempts where request_id = ? order by attempt')
        .all(requestId) as AttemptColumns[];
      return {
        call: callFromColumns({ ...row, streamed: row.streamed === 1 }),
        attempts: attempts.map(attemptFromColumns),
      };
    });
  }

  async close(): Promise<void> {
    try {
      // The writer thread's connection first, so the last one to close (which checkpoints and
      // removes the WAL) is this one.
      await this.#thread?.close();
    } catch (error) {
      throw sqliteError(this.#path, error, this.#busyTimeoutMs);
    } finally {
      if (this.#db.open) this.#db.close();
    }
  }
}

/**
 * Opens (creating if needed) a SQLite ledger: folders, tables, WAL journal and busy timeout. A
 * file that is not a database, or is locked past the timeout, fails with a LedgerError naming
 * the file; the file itself is left exactly as it was. Opening is synchronous, in this thread,
 * also when writes run in a worker: a bad file fails here, not at the first write.
 */
export function openSqliteLedger(path: string, options: SqliteLedgerOptions = {}): SqliteLedgerStore {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const synchronous = options.synchronous ?? 'normal';
  const workerFile = options.writeThread === 'main' ? undefined : writeWorkerFile();
  if (options.writeThread === 'worker' && !workerFile) {
    throw new LedgerError(
      'the SQLite ledger was asked to write in a worker thread, but sqlite-write-worker.js is missing',
      {
        hint: "run llmkit from its built package (dist/), or pass writeThread: 'main'",
      },
    );
  }
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new LedgerError(`cannot create the folder of ledger file ${path} (${(error as Error).message})`, {
        hint: 'check that this user may create it, or set ledger.path to a writable place',
        cause: error,
      });
    }
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
    // WAL lets summaries read while calls are written, and makes each commit a single append.
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    migrateSqlite(db, path);
    // An in-memory or temporary database exists only on this connection: no other can write it.
    // The thread gets an absolute path, in case the process changes directory before it starts.
    const thread =
      workerFile && path !== ':memory:' && path !== ''
        ? new SqliteWriteThread(workerFile, { path: resolve(path), busyTimeoutMs, synchronous })
        : undefined;
    return new SqliteLedger(db, path, busyTimeoutMs, thread);
  } catch (error) {
    db?.close();
    throw sqliteError(path, error, busyTimeoutMs);
  }
}
