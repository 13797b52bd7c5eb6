/*
 * The ledger as llmkit wrote it at schema version 1 (before the response cache), with one call
 * in it, for the upgrade tests. Kept verbatim: the migration must accept exactly what shipped.
 */

const sqliteV1 = `
create table meta (key text primary key, value text not null) strict;
insert into meta (key, value) values ('schema_version', '1');
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
  cache_hit integer not null,
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

function postgresV1(schema: string): string {
  return `
create schema ${schema};
create table ${schema}.meta (key text primary key, value text not null);
insert into ${schema}.meta (key, value) values ('schema_version', '1');
create table ${schema}.calls (
  request_id text not null, started_at bigint not null, provider text not null, model text not null,
  gateway_key text, project text, user_name text, tags text not null,
  input_tokens bigint not null, output_tokens bigint not null, cached_input_tokens bigint not null,
  reasoning_tokens bigint not null, cost_nanos bigint, latency_ms bigint not null, ttft_ms bigint,
  status text not null, error_class text, streamed boolean not null, cache_hit boolean not null,
  usage_source text not null, attempts bigint not null,
  primary key (request_id)
);
create index on ${schema}.calls (started_at);
create table ${schema}.call_tags (request_id text not null, tag text not null, primary key (request_id, tag));
create table ${schema}.attempts (
  request_id text not null, attempt bigint not null, started_at bigint not null, provider text not null,
  model text not null, status text not null, http_status bigint, error_class text,
  latency_ms bigint not null, ttft_ms bigint, upstream_request_id text,
  primary key (request_id, attempt)
);`;
}

/** The row each fixture holds: `old`, 100 + 10 tokens for 1500 nano-dollars on 2024-03-09. */
export const v1Call = {
  requestId: 'old',
  startedAt: Date.UTC(2024, 2, 9, 1),
  inputTokens: 100,
  outputTokens: 10,
  costNanos: 1500,
};

const insertOld = (table: string, no: string) =>
  `insert into ${table} values ('old', ${v1Call.startedAt}, 'openai', 'gpt-4o', null, null, null, '[]',
  ${v1Call.inputTokens}, ${v1Call.outputTokens}, 0, 0, ${v1Call.costNanos}, 10, null, 'ok', null, ${no}, ${no}, 'provider', 1);`;

export const sqliteLedgerV1 = `${sqliteV1}${insertOld('calls', '0')}`;

export function postgresLedgerV1(schema: string): string {
  return `${postgresV1(schema)}\n${insertOld(`${schema}.calls`, 'false')}`;
}
