import type Database from 'better-sqlite3';
import { BudgetStoreUnavailableError } from './store-unavailable-error.js';

/** Version of the budget tables this code writes, in `budget_meta`. */
export const budgetSchemaVersion = 1;

// Table names carry a `budget_` prefix so budgetSettings.path may even point at the ledger's file.
// STRICT tables refuse a float in an INTEGER column, so a fractional amount can never slip into
// the counters. Reservation lines live in their own table: per-line amounts, and a settle that
// touches only the lines it reserved on.
const tables = `
create table budget_lines (
  key text primary key,
  spent_nanos integer not null,
  reserved_nanos integer not null,
  spent_tokens integer not null,
  reserved_tokens integer not null,
  expires_at integer not null
) strict, without rowid;
create index budget_lines_expires_at on budget_lines (expires_at);
create table budget_reservations (
  request_id text primary key,
  state text not null check (state in ('reserved', 'settled', 'expired')),
  expires_at integer not null,
  closed_at integer
) strict, without rowid;
create index budget_reservations_open on budget_reservations (expires_at) where state = 'reserved';
create index budget_reservations_closed on budget_reservations (closed_at) where state <> 'reserved';
create table budget_reservation_lines (
  request_id text not null,
  position integer not null,
  key text not null,
  nanos integer not null,
  tokens integer not null,
  primary key (request_id, key)
) strict, without rowid;
create table budget_alerts (
  key text not null,
  threshold text not null,
  primary key (key, threshold)
) strict, without rowid;
`;

function storedVersion(db: Database.Database): number | undefined {
  const meta = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'budget_meta'").get();
  if (!meta) return undefined;
  const row = db.prepare("select value from budget_meta where key = 'schema_version'").get() as
    | { value: string }
    | undefined;
  return row ? Number(row.value) : undefined;
}

/** Creates the tables on first use; refuses a file written by a newer llmkit. */
export function migrateBudgetSqlite(db: Database.Database, path: string): void {
  // Read first, so opening an existing file takes no write lock.
  let version = storedVersion(db);
  if (version === undefined) {
    db.transaction(() => {
      // Another process may have created the tables between the read and this write lock.
      version = storedVersion(db);
      if (version !== undefined) return;
      db.exec('create table if not exists budget_meta (key text primary key, value text not null) strict');
      db.exec(tables);
      db.prepare("insert into budget_meta (key, value) values ('schema_version', ?)").run(
        String(budgetSchemaVersion),
      );
      version = budgetSchemaVersion;
    }).immediate();
  }
  if (version === undefined || !Number.isInteger(version) || version < 1 || version > budgetSchemaVersion) {
    throw new BudgetStoreUnavailableError(
      `budget file ${path} has schema version ${version}, which this llmkit (version ${budgetSchemaVersion}) cannot use`,
      {
        hint: 'upgrade llmkit to the version that wrote it, or set budgetSettings.path to another file',
        retryable: false,
      },
    );
  }
}
