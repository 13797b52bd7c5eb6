import type { PoolClient } from 'pg';
import type { AttemptColumns, CallColumns } from './ledger-columns.js';
import { checkSchemaVersion, schemaVersion } from './schema-version.js';

/* Column types; the same map casts the arrays of a batch insert (see postgres-ledger.ts). */

export const callColumnTypes: Record<keyof CallColumns, string> = {
  request_id: 'text',
  started_at: 'bigint',
  provider: 'text',
  model: 'text',
  gateway_key: 'text',
  project: 'text',
  user_name: 'text',
  tags: 'text',
  input_tokens: 'bigint',
  output_tokens: 'bigint',
  cached_input_tokens: 'bigint',
  reasoning_tokens: 'bigint',
  cost_nanos: 'bigint',
  latency_ms: 'bigint',
  ttft_ms: 'bigint',
  status: 'text',
  error_class: 'text',
  streamed: 'boolean',
  cache: 'text',
  usage_source: 'text',
  attempts: 'bigint',
};

export const attemptColumnTypes: Record<keyof AttemptColumns, string> = {
  request_id: 'text',
  attempt: 'bigint',
  started_at: 'bigint',
  provider: 'text',
  model: 'text',
  status: 'text',
  http_status: 'bigint',
  error_class: 'text',
  latency_ms: 'bigint',
  ttft_ms: 'bigint',
  upstream_request_id: 'text',
};

const nullable = new Set([
  'gateway_key',
  'project',
  'user_name',
  'cost_nanos',
  'ttft_ms',
  'error_class',
  'cache',
]);
const nullableAttempt = new Set(['http_status', 'error_class', 'ttft_ms', 'upstream_request_id']);

function columnsSql(types: Record<string, string>, optional: ReadonlySet<string>): string {
  return Object.entries(types)
    .map(([name, type]) => `${name} ${type}${optional.has(name) ? '' : ' not null'}`)
    .join(',\n  ');
}

function tablesSql(schema: string): string {
  return `
create table ${schema}.calls (
  ${columnsSql(callColumnTypes, nullable)},
  primary key (request_id)
);
create index on ${schema}.calls (started_at);
create table ${schema}.call_tags (request_id text not null, tag text not null, primary key (request_id, tag));
create table ${schema}.attempts (
  ${columnsSql(attemptColumnTypes, nullableAttempt)},
  primary key (request_id, attempt)
);`;
}

async function storedVersion(
  client: PoolClient,
  schemaName: string,
  schema: string,
): Promise<number | undefined> {
  // pg_class is read with the statement's snapshot; to_regclass() goes through the catalog
  // cache, which may not yet show a table another session created while we waited on the lock.
  const found = await client.query(
    `select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relname = 'meta'`,
    [schemaName],
  );
  if (found.rowCount === 0) return undefined;
  const row = await client.query<{ value: string }>(
    `select value from ${schema}.meta where key = 'schema_version'`,
  );
  return row.rows[0] ? Number(row.rows[0].value) : undefined;
}

/*
 * Version 1 → 2: the `cache` column replaces `cache_hit`, which version 1 always wrote as false
 * (no cache existed); a true is carried over as 'hit' all the same. PostgreSQL drops a column
 * without rewriting the table.
 */
const upgrades: Record<number, (schema: string) => string> = {
  1: (schema) => `alter table ${schema}.calls add column cache text;
update ${schema}.calls set cache = 'hit' where cache_hit;
alter table ${schema}.calls drop column cache_hit;`,
};

/**
 * Creates the schema and tables on first use, upgrades an older layout; refuses a ledger written
 * by a newer llmkit. `schema` is already quoted. An advisory lock serialises two processes
 * creating or upgrading it at once, where `create table if not exists` alone can still fail on
 * the catalog's unique index.
 */
export async function migratePostgres(
  client: PoolClient,
  schemaName: string,
  schema: string,
  where: string,
): Promise<void> {
  let version = await storedVersion(client, schemaName, schema);
  if (version === undefined || upgrades[version] !== undefined) {
    await client.query('begin');
    try {
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [`llmkit ledger ${schema}`]);
      version = await storedVersion(client, schemaName, schema);
      if (version === undefined) {
        // CREATE SCHEMA needs CREATE on the database even with IF NOT EXISTS, which a user
        // given only an existing schema lacks; so ask first.
        const exists = await client.query('select 1 from pg_namespace where nspname = $1', [schemaName]);
        if (exists.rowCount === 0) await client.query(`create schema ${schema}`);
        await client.query(`create table ${schema}.meta (key text primary key, value text not null)`);
        await client.query(tablesSql(schema));
        await client.query(`insert into ${schema}.meta (key, value) values ('schema_version', $1)`, [
          String(schemaVersion),
        ]);
        version = schemaVersion;
      }
      for (let upgrade = upgrades[version]; upgrade !== undefined; upgrade = upgrades[version]) {
        await client.query(upgrade(schema));
        version += 1;
        await client.query(`update ${schema}.meta set value = $1 where key = 'schema_version'`, [
          String(version),
        ]);
      }
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
  }
  checkSchemaVersion(version, where);
}
