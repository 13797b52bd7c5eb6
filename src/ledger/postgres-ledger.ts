import pg from 'pg';
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
import { postgresError, redactUrl } from './postgres-error.js';
import { attemptColumnTypes, callColumnTypes, migratePostgres } from './postgres-schema.js';
import { type AggregateRow, type GroupedRow, summaryFromRows } from './summary-from-rows.js';
import { summarySql } from './summary-sql.js';

export interface PostgresLedgerOptions {
  /** Schema holding the ledger tables, created if missing; default `llmkit`. */
  schema?: string;
  /** Connections in the pool; default 4 (one writer, the rest for summaries). */
  maxConnections?: number;
  /** How long to wait for a connection before failing; default 10000 ms. */
  connectTimeoutMs?: number;
}

type PgValue = string | number | boolean | null;

// PostgreSQL text cannot hold U+0000 and would reject the whole batch on every retry, so it
// is replaced; nothing else in a row is changed.
function pgValue(value: PgValue): PgValue {
  return typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
}

/** One array per column, so a whole batch is one INSERT ... SELECT FROM unnest(...). */
function columnArrays<Columns extends object>(
  rows: readonly Columns[],
  names: readonly (keyof Columns & string)[],
): PgValue[][] {
  return names.map((name) => rows.map((row) => pgValue(row[name] as PgValue)));
}

function unnestSql(table: string, names: readonly string[], types: Record<string, string>): string {
  const arrays = names.map((name, index) => `$${index + 1}::${types[name]}[]`).join(', ');
  return `insert into ${table} (${names.join(', ')}) select * from unnest(${arrays})`;
}

// pg returns BIGINT as a string to avoid rounding; rows were checked to be safe integers when
// written, so Number() is exact here.
function numbersOf<Row extends object>(row: Row, names: readonly string[]): Row {
  const copy = { ...row } as Record<string, unknown>;
  for (const name of names) if (typeof copy[name] === 'string') copy[name] = Number(copy[name]);
  return copy as Row;
}
const bigintCallColumns = Object.keys(callColumnTypes).filter(
  (name) => callColumnTypes[name as keyof CallColumns] === 'bigint',
);
const bigintAttemptColumns = Object.keys(attemptColumnTypes).filter(
  (name) => attemptColumnTypes[name as keyof AttemptColumns] === 'bigint',
);

class PostgresLedger implements LedgerStore, CallLookup {
  readonly backend = 'postgres';
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #schema: string;
  #closed = false;

  constructor(pool: pg.Pool, url: string, schema: string) {
    this.#pool = pool;
    this.#url = url;
    this.#schema = schema;
  }

  async #transaction<T>(begin: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw postgresError(this.#url, error);
    }
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch((rollbackError: Error) => {
        // The connection itself failed: drop it rather than hand it to the next query.
        broken = rollbackError;
      });
      throw error instanceof RangeError ? error : postgresError(this.#url, error);
    } finally {
      client.release(broken);
    }
  }

  async write(batch: { calls: CallRow[]; attempts: AttemptRow[] }): Promise<void> {
    checkBatch(batch);
    if (batch.calls.length === 0) return;
    const table = (name: string) => `${this.#schema}.${name}`;
    await this.#transaction('begin', async (client) => {
      const inserted = await client.query<{ request_id: string }>(
        `${unnestSql(table('calls'), callColumnNames, callColumnTypes)} on conflict (request_id) do nothing returning request_id`,
        columnArrays(batch.calls.map(callToColumns), callColumnNames),
      );
      // Only calls inserted now get tags and attempts: a re-sent call is skipped whole.
      const fresh = new Set(inserted.rows.map((row) => row.request_id));
      const tagRows: { request_id: string; tag: string }[] = [];
      for (const call of batch.calls) {
        const requestId = pgValue(call.requestId) as string;
        if (!fresh.has(requestId)) continue;
        for (const tag of new Set(call.tags)) tagRows.push({ request_id: requestId, tag });
      }
      if (tagRows.length > 0) {
        await client.query(
          `${unnestSql(table('call_tags'), ['request_id', 'tag'], { request_id: 'text', tag: 'text' })} on conflict do nothing`,
          columnArrays(tagRows, ['request_id', 'tag']),
        );
      }
      const attempts = [...attemptsByCall(batch.attempts)]
        .filter(([requestId]) => fresh.has(pgValue(requestId) as string))
        .flatMap(([, rows]) => rows.map(attemptToColumns));
      if (attempts.length > 0) {
        await client.query(
          `${unnestSql(table('attempts'), attemptColumnNames, attemptColumnTypes)} on conflict do nothing`,
          columnArrays(attempts, attemptColumnNames),
        );
      }
    });
  }

  async summary(query: SummaryQuery): Promise<Summary> {
    const sql = summarySql(query, {
      placeholder: (index) => `$${index}`,
      table: (name) => `${this.#schema}.${name}`,
    });
    // Repeatable read: rows and totals come from the same snapshot.
    return this.#transaction('begin isolation level repeatable read read only', async (client) => {
      const grouped = await client.query<GroupedRow>(sql.grouped, sql.parameters);
      const totals = await client.query<AggregateRow>(sql.totals, sql.parameters);
      return summaryFromRows(query, grouped.rows, totals.rows);
    });
  }

  async findCall(requestId: string): Promise<StoredCall | undefined> {
    return this.#transaction('begin isolation level repeatable read read only', async (client) => {
      const call = await client.query<CallColumns>(
        `select * from ${this.#schema}.calls where request_id = $1`,
        [requestId],
      );
      const row = call.rows[0];
      if (!row) return undefined;
      const attempts = await client.query<AttemptColumns>(
        `select * from ${this.#schema}.attempts where request_id = $1 order by attempt`,
        [requestId],
      );
      return {
        call: callFromColumns(numbersOf(row, bigintCallColumns)),
        attempts: attempts.rows.map((attempt) =>
          attemptFromColumns(numbersOf(attempt, bigintAttemptColumns)),
        ),
      };
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

/** Opens a PostgreSQL ledger, creating its schema and tables if missing. */
export async function openPostgresLedger(
  url: string,
  options: PostgresLedgerOptions = {},
): Promise<LedgerStore & CallLookup> {
  const schemaName = options.schema ?? 'llmkit';
  // The name is spliced into SQL, so only plain identifiers are accepted.
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schemaName)) {
    throw new LedgerError(`invalid PostgreSQL schema name "${schemaName}" for the ledger`, {
      hint: 'use letters, digits and underscores, starting with a letter',
    });
  }
  const schema = `"${schemaName}"`;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: 'llmkit-ledger',
  });
  // An idle connection dropped by the server emits 'error' on the pool, which would crash the
  // process unheard; the next query reconnects or reports the failure itself.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, schemaName, schema, redactUrl(url));
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw postgresError(url, error);
  }
  return new PostgresLedger(pool, url, schema);
}
