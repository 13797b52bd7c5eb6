import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { checkBatch } from './check-batch.js';
import {
  type AttemptColumns,
  attemptColumnNames,
  attemptFromColumns,
  attemptsByCall,
  attemptToColumns,
  type CallColumns,
  callColumnNames,
  callFromColumns,
  callToColumns,
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
import { sqliteError } from './sqlite-error.js';
import { migrateSqlite } from './sqlite-schema.js';
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
}

type SqliteValue = string | number | null;

function sqliteValue(value: string | number | boolean | null): SqliteValue {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

function insertSql(table: string, columns: readonly string[], conflict: string): string {
  const placeholders = columns.map(() => '?').join(', ');
  return `insert into ${table} (${columns.join(', ')}) values (${placeholders}) on conflict ${conflict} do nothing`;
}

class SqliteLedger implements LedgerStore, CallLookup {
  readonly backend = 'sqlite';
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #busyTimeoutMs: number;
  readonly #writeBatch: (batch: { calls: CallRow[]; attempts: AttemptRow[] }) => void;

  constructor(db: Database.Database, path: string, busyTimeoutMs: number) {
    this.#db = db;
    this.#path = path;
    this.#busyTimeoutMs = busyTimeoutMs;
    const insertCall = db.prepare(insertSql('calls', callColumnNames, '(request_id)'));
    const insertTag = db.prepare(insertSql('call_tags', ['request_id', 'tag'], '(request_id, tag)'));
    const insertAttempt = db.prepare(insertSql('attempts', attemptColumnNames, '(request_id, attempt)'));
    const transaction = db.transaction((batch: { calls: CallRow[]; attempts: AttemptRow[] }) => {
      const attempts = attemptsByCall(batch.attempts);
      for (const call of batch.calls) {
        const columns = callToColumns(call);
        // A call already stored (a re-sent batch) is skipped with its tags and attempts.
        if (insertCall.run(callColumnNames.map((name) => sqliteValue(columns[name]))).changes === 0) continue;
        for (const tag of new Set(call.tags)) insertTag.run(call.requestId, tag);
        for (const attempt of attempts.get(call.requestId) ?? []) {
          const attemptColumns = attemptToColumns(attempt);
          insertAttempt.run(attemptColumnNames.map((name) => attemptColumns[name]));
        }
      }
    });
    // BEGIN IMMEDIATE takes the write lock up front, so a busy database waits busy_timeout instead
    // of failing at once when a read transaction cannot be upgraded.
    this.#writeBatch = (batch) => transaction.immediate(batch);
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
    return this.#guard(() => {
      checkBatch(batch);
      if (batch.calls.length > 0) this.#writeBatch(batch);
    });
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
        | (Omit<CallColumns, 'streamed' | 'cache_hit'> & { streamed: number; cache_hit: number })
        | undefined;
      if (!row) return undefined;
      const attempts = this.#db
        .prepare('select * from attempts where request_id = ? order by attempt')
        .all(requestId) as AttemptColumns[];
      return {
        call: callFromColumns({ ...row, streamed: row.streamed === 1, cache_hit: row.cache_hit === 1 }),
        attempts: attempts.map(attemptFromColumns),
      };
    });
  }

  close(): Promise<void> {
    if (this.#db.open) this.#db.close();
    return Promise.resolve();
  }
}

/**
 * Opens (creating if needed) a SQLite ledger: folders, tables, WAL journal and busy timeout. A
 * file that is not a database, or is locked past the timeout, fails with a LedgerError naming
 * the file; the file itself is left exactly as it was.
 */
export function openSqliteLedger(path: string, options: SqliteLedgerOptions = {}): LedgerStore & CallLookup {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
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
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    migrateSqlite(db, path);
    return new SqliteLedger(db, path, busyTimeoutMs);
  } catch (error) {
    db?.close();
    throw sqliteError(path, error, busyTimeoutMs);
  }
}
