import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { BudgetLine, BudgetStore, LineState, Reservation, ReserveOutcome } from './budget-store.js';
import { sqliteBudgetError } from './sqlite-budget-error.js';
import { migrateBudgetSqlite } from './sqlite-budget-schema.js';
import { admit, type Counters, zeroCounters } from './store-admit.js';
import {
  checkAlert,
  checkReserve,
  checkSettle,
  closedRetentionMs,
  duplicateReservation,
  expireBatch,
  sweepPerReserve,
} from './store-checks.js';
import { BudgetStoreUnavailableError } from './store-unavailable-error.js';

export interface SqliteBudgetStoreOptions {
  /** How long an operation waits for another connection's write lock before failing; default 5000 ms. */
  busyTimeoutMs?: number;
}

interface ReservedLine {
  key: string;
  nanos: number;
  tokens: number;
}

const countersColumns =
  'spent_nanos as spentNanos, reserved_nanos as reservedNanos, spent_tokens as spentTokens, reserved_tokens as reservedTokens';

/*
 * A line row whose expires_at has passed is dead: every operation treats it as absent (as Redis
 * does once the key's PEXPIREAT fires), and `expire` deletes it. Liveness follows this process's
 * clock; `expire(now)` uses `now` only to pick the reservations to release.
 */
function statements(db: Database.Database) {
  return {
    line: db.prepare(`select ${countersColumns} from budget_lines where key = ? and expires_at > ?`),
    dropDeadLine: db.prepare('delete from budget_lines where key = ? and expires_at <= ?'),
    dropAlerts: db.prepare('delete from budget_alerts where key = ?'),
    addReserved: db.prepare(
      `insert into budget_lines (key, spent_nanos, reserved_nanos, spent_tokens, reserved_tokens, expires_at)
       values (?, 0, ?, 0, ?, ?)
       on conflict (key) do update set reserved_nanos = reserved_nanos + excluded.reserved_nanos,
         reserved_tokens = reserved_tokens + excluded.reserved_tokens, expires_at = excluded.expires_at`,
    ),
    // max(0, ...) guards a line that died and was created again under the same key (its expiry
    // moved): an old reservation must not drive the new counters negative.
    release: db.prepare(
      `update budget_lines set reserved_nanos = max(0, reserved_nanos - ?), reserved_tokens = max(0, reserved_tokens - ?)
       where key = ? and expires_at > ?`,
    ),
    spend: db.prepare(
      `update budget_lines set spent_nanos = spent_nanos + ?, spent_tokens = spent_tokens + ?
       where key = ? and expires_at > ?`,
    ),
    reservation: db.prepare('select state from budget_reservations where request_id = ?').pluck(),
    insertReservation: db.prepare(
      "insert into budget_reservations (request_id, state, expires_at) values (?, 'reserved', ?)",
    ),
    insertReservationLine: db.prepare(
      'insert into budget_reservation_lines (request_id, position, key, nanos, tokens) values (?, ?, ?, ?, ?)',
    ),
    reservationLines: db.prepare(
      'select key, nanos, tokens from budget_reservation_lines where request_id = ? order by position',
    ),
    closeReservation: db.prepare(
      'update budget_reservations set state = ?, closed_at = ? where request_id = ?',
    ),
    overdue: db
      .prepare(
        "select request_id from budget_reservations where state = 'reserved' and expires_at <= ? order by expires_at limit ?",
      )
      .pluck(),
    claimAlert: db.prepare(
      `insert or ignore into budget_alerts (key, threshold)
       select ?, ? where exists (select 1 from budget_lines where key = ? and expires_at > ?)`,
    ),
  };
}

class SqliteBudgetStore implements BudgetStore {
  readonly backend = 'sqlite';
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #busyTimeoutMs: number;
  readonly #sql: ReturnType<typeof statements>;
  readonly #housekeeping: () => void;
  readonly #transaction: Database.Transaction<(work: () => unknown) => unknown>;

  constructor(db: Database.Database, path: string, busyTimeoutMs: number) {
    this.#db = db;
    this.#path = path;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#sql = statements(db);
    // One wrapper for every operation: better-sqlite3 builds four functions per db.transaction().
    this.#transaction = db.transaction((work: () => unknown) => work());
    const dropDeadAlerts = db.prepare(
      'delete from budget_alerts where key in (select key from budget_lines where expires_at <= ?)',
    );
    const dropDeadLines = db.prepare('delete from budget_lines where expires_at <= ?');
    const dropClosedLines = db.prepare(
      `delete from budget_reservation_lines where request_id in
       (select request_id from budget_reservations where state <> 'reserved' and closed_at <= ?)`,
    );
    const dropClosed = db.prepare(
      "delete from budget_reservations where state <> 'reserved' and closed_at <= ?",
    );
    this.#housekeeping = () => {
      const now = Date.now();
      dropDeadAlerts.run(now);
      dropDeadLines.run(now);
      dropClosedLines.run(now - closedRetentionMs);
      dropClosed.run(now - closedRetentionMs);
    };
  }

  /**
   * Runs `work` in one BEGIN IMMEDIATE transaction: the write lock is taken up front, so another
   * process's write makes this one wait busy_timeout instead of failing on a lock upgrade.
   */
  #write<T>(work: () => T): Promise<T> {
    return this.#commit(work);
  }

  /** Settles waiting for the next commit. */
  #queue: Array<{
    work: () => unknown;
    resolve: (value: unknown) => void;
    reject: (error: unknown) => void;
  }> = [];

  /**
   * Group commit for settles, which no call waits for: they queue until the next write (a
   * reserve, most often) or the next turn of the event loop, and ride in its transaction, each in
   * a savepoint so a failing one rolls back alone. A reserve therefore always sees every settle
   * made before it, and under load a call costs one commit instead of two. Reserves never wait.
   */
  #batched<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.#queue.length === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    if (this.#queue.length > 0) void this.#commit(undefined).catch(() => {});
  }

  /** One BEGIN IMMEDIATE transaction: the queued settles, then `work` (if any), each in a savepoint. */
  #commit<T>(work: (() => T) | undefined): Promise<T> {
    const batch = this.#queue;
    this.#queue = [];
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    const run = (item: () => unknown) => {
      try {
        // Nested: a savepoint, so this item's partial writes go if it throws.
        outcomes.push({ ok: true, value: this.#transaction(item) });
      } catch (error) {
        if (error instanceof Database.SqliteError) throw error;
        outcomes.push({ ok: false, value: error });
      }
    };
    const committed = this.#guard(() =>
      this.#transaction.immediate(() => {
        for (const item of batch) run(item.work);
        // Alone, `work` needs no savepoint: its failure rolls the whole transaction back.
        if (work && batch.length === 0) outcomes.push({ ok: true, value: work() });
        else if (work) run(work);
      }),
    );
    return committed.then(
      () => {
        batch.forEach((item, index) => {
          const outcome = outcomes[index]!;
          if (outcome.ok) item.resolve(outcome.value);
          else item.reject(outcome.value);
        });
        const own = outcomes[batch.length];
        if (own && !own.ok) throw own.value;
        return own?.value as T;
      },
      (error: unknown) => {
        for (const item of batch) item.reject(error);
        throw error;
      },
    );
  }

  #guard<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      // Only SQLite's own failures mean "unavailable"; a RangeError or a duplicate id is a bug to surface as is.
      if (error instanceof Database.SqliteError || error instanceof BudgetStoreUnavailableError) {
        return Promise.reject(sqliteBudgetError(this.#path, error, this.#busyTimeoutMs));
      }
      return Promise.reject(error);
    }
  }

  #counters(key: string, now: number): Counters {
    return (this.#sql.line.get(key, now) as Counters | undefined) ?? zeroCounters;
  }

  #states(keys: readonly string[], now: number): LineState[] {
    return keys.map((key) => ({ key, ...this.#counters(key, now) }));
  }

  #lines(requestId: string): ReservedLine[] {
    return this.#sql.reservationLines.all(requestId) as ReservedLine[];
  }

  /** Gives a reservation's amounts back to its live lines and marks it expired; its record stays for late settles. */
  #release(requestId: string): void {
    const now = Date.now();
    for (const line of this.#lines(requestId)) this.#sql.release.run(line.nanos, line.tokens, line.key, now);
    this.#sql.closeReservation.run('expired', now, requestId);
  }

  async reserve(lines: readonly BudgetLine[], reservation: Reservation): Promise<ReserveOutcome> {
    checkReserve(lines, reservation);
    // At once: the call waits for its admission, and a group commit would add a loop turn to it.
    return this.#write((): ReserveOutcome => {
      const sql = this.#sql;
      const now = Date.now();
      if (sql.reservation.get(reservation.requestId) !== undefined) {
        throw duplicateReservation(reservation.requestId);
      }
      for (const requestId of sql.overdue.all(now, sweepPerReserve) as string[]) this.#release(requestId);
      const counters = lines.map((line) => {
        // A dead line starts over from zero, and so do its alerts, as a Redis key that expired.
        if (sql.dropDeadLine.run(line.key, now).changes > 0) sql.dropAlerts.run(line.key);
        return this.#counters(line.key, now);
      });
      const outcome = admit(lines, counters, reservation);
      const keys = lines.map((line) => line.key);
      if (!outcome.ok) return { ok: false, refusedBy: outcome.refusedBy, lines: this.#states(keys, now) };
      sql.insertReservation.run(reservation.requestId, reservation.expiresAt);
      lines.forEach((line, position) => {
        sql.addReserved.run(line.key, outcome.nanos, outcome.tokens, line.expiresAt);
        sql.insertReservationLine.run(
          reservation.requestId,
          position,
          line.key,
          outcome.nanos,
          outcome.tokens,
        );
      });
      return { ok: true, reservedNanos: outcome.nanos, lines: this.#states(keys, now) };
    });
  }

  async settle(requestId: string, actual: { nanos: number; tokens: number }): Promise<LineState[]> {
    checkSettle(requestId, actual);
    return this.#batched(() => {
      const sql = this.#sql;
      const state = sql.reservation.get(requestId) as string | undefined;
      if (state === undefined) return [];
      const now = Date.now();
      const lines = this.#lines(requestId);
      if (state !== 'settled') {
        for (const line of lines) {
          // An expired reservation was already given back; its spend is still the truth.
          if (state === 'reserved') sql.release.run(line.nanos, line.tokens, line.key, now);
          sql.spend.run(actual.nanos, actual.tokens, line.key, now);
        }
        sql.closeReservation.run('settled', now, requestId);
      }
      const keys = lines.map((line) => line.key);
      return this.#states(keys, now);
    });
  }

  async expire(now: number): Promise<number> {
    let released = 0;
    for (;;) {
      // Batches keep each write lock short when a crashed fleet left thousands behind.
      const batch = await this.#write(() => {
        const due = this.#sql.overdue.all(now, expireBatch) as string[];
        for (const requestId of due) this.#release(requestId);
        return due.length;
      });
      released += batch;
      if (batch < expireBatch) break;
    }
    await this.#write(this.#housekeeping);
    return released;
  }

  state(keys: readonly string[]): Promise<LineState[]> {
    // One read transaction, so every line comes from the same snapshot.
    return this.#guard(() => this.#transaction.deferred(() => this.#states(keys, Date.now())) as LineState[]);
  }

  async claimAlert(key: string, threshold: number): Promise<boolean> {
    checkAlert(key, threshold);
    return this.#write(() => this.#sql.claimAlert.run(key, String(threshold), key, Date.now()).changes === 1);
  }

  close(): Promise<void> {
    // Commit what waits for the next group commit before the file closes under it.
    if (this.#queue.length > 0 && this.#db.open) this.#flush();
    if (this.#db.open) this.#db.close();
    return Promise.resolve();
  }
}

/**
 * Opens (creating if needed) the SQLite budget store: folders, tables, WAL journal, busy timeout.
 * Several processes may share the file; each operation is one IMMEDIATE transaction. A file
 * that is not a database, or is locked past the timeout, fails with a
 * BudgetStoreUnavailableError naming the file; the file itself is left exactly as it was.
 */
export function openSqliteBudgetStore(path: string, options: SqliteBudgetStoreOptions = {}): BudgetStore {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new BudgetStoreUnavailableError(
        `cannot create the folder of budget file ${path} (${(error as Error).message})`,
        {
          hint: 'check that this user may create it, or set budgetSettings.path to a writable place',
          retryable: false,
          cause: error,
        },
      );
    }
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
    // WAL: readers (`llmkit budget status`) never wait for a reserve, and a commit is one append.
    // NORMAL survives the process being killed; power loss may forget the last few counters.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrateBudgetSqlite(db, path);
    return new SqliteBudgetStore(db, path, busyTimeoutMs);
  } catch (error) {
    db?.close();
    throw sqliteBudgetError(path, error, busyTimeoutMs);
  }
}
