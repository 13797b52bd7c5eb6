import type Database from 'better-sqlite3';
import { checkSchemaVersion, schemaVersion } from './schema-version.js';

// STRICT tables refuse a float in an INTEGER column, so a fractional cost can never slip into
// the sums. started_at is indexed because every summary is a time range.
const tables = `
create table calls (
  request_id text primary key,
  started_at integer not null,
  provider text not null,
  model text not null,
  gateway_key text,
  project text,
  user_name text,
  tags text not null,
  input_tokens integer not null,
  output_tokens integer not null,
  cached_input_tokens integer not null,
  reasoning_tokens integer not null,
  cost_nanos integer,
  latency_ms integer not null,
  ttft_ms integer,
  status text not null,
  error_class text,
  streamed integer not null,
  cache text,
  usage_source text not null,
  attempts integer not null
) strict;
create index calls_started_at on calls (started_at);
create table call_tags (
  request_id text not null,
  tag text not null,
  primary key (request_id, tag)
) strict, without rowid;
create table attempts (
  request_id text not null,
  attempt integer not null,
  started_at integer not null,
  provider text not null,
  model text not null,
  status text not null,
  http_status integer,
  error_class text,
  latency_ms integer not null,
  ttft_ms integer,
  upstream_request_id text,
  primary key (request_id, attempt)
) strict, without rowid;
`;

function storedVersion(db: Database.Database): number | undefined {
  const meta = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'meta'").get();
  if (!meta) return undefined;
  const row = db.prepare("select value from meta where key = 'schema_version'").get() as
    | { value: string }
    | undefined;
  return row ? Number(row.value) : undefined;
}

/*
 * Version 1 → 2: the `cache` column replaces `cache_hit`, which version 1 always wrote as 0 (no
 * cache existed); a 1 is carried over as 'hit' all the same. DROP COLUMN rewrites the table
 * once, inside the same transaction as the version bump, so a crash leaves version 1 intact.
 */
const upgrades: Record<number, string> = {
  1: `alter table calls add column cache text;
update calls set cache = 'hit' where cache_hit = 1;
alter table calls drop column cache_hit;`,
};

/** Creates the tables on first use, upgrades an older layout; refuses a ledger written by a newer llmkit. */
export function migrateSqlite(db: Database.Database, path: string): void {
  // Read first, so opening an up-to-date ledger takes no write lock.
  let version = storedVersion(db);
  if (version === undefined || upgrades[version] !== undefined) {
    version = db
      .transaction((): number | undefined => {
        // Another process may have created or upgraded the tables between the read and this lock.
        let found = storedVersion(db);
        if (found === undefined) {
          db.exec('create table if not exists meta (key text primary key, value text not null) strict');
          db.exec(tables);
          db.prepare("insert into meta (key, value) values ('schema_version', ?)").run(String(schemaVersion));
          return schemaVersion;
        }
        for (let upgrade = upgrades[found]; upgrade !== undefined; upgrade = upgrades[found]) {
          db.exec(upgrade);
          found += 1;
          db.prepare("update meta set value = ? where key = 'schema_version'").run(String(found));
        }
        return found;
      })
      .immediate();
  }
  checkSchemaVersion(version ?? Number.NaN, path);
}
