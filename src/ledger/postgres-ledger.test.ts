import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresUrl } from '../../test/support/services.js';
import { LedgerError } from './ledger-error.js';
import { callRow, ledgerStoreCases } from './ledger-store.case.js';
import { postgresLedgerV1, v1Call } from './ledger-v1.fixture.js';
import { openPostgresLedger } from './postgres-ledger.js';

const url = await postgresUrl();

async function sql(text: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

describe.skipIf(!url)('postgres', () => {
  // Each test gets its own schema, dropped afterwards, so runs never see each other's rows.
  ledgerStoreCases('postgres', async () => {
    const schema = `llmkit_test_${randomUUID().replaceAll('-', '')}`;
    return {
      open: () => openPostgresLedger(url!, { schema }),
      setSchemaVersion: (version) =>
        sql(`update ${schema}.meta set value = $1 where key = 'schema_version'`, [String(version)]),
      destroy: () => sql(`drop schema if exists ${schema} cascade`),
    };
  });

  it('creates the schema once when two processes open it at the same moment', async () => {
    const schema = `llmkit_test_${randomUUID().replaceAll('-', '')}`;
    try {
      const stores = await Promise.all([1, 2, 3].map(() => openPostgresLedger(url!, { schema })));
      await Promise.all(stores.map((store) => store.close()));
    } finally {
      await sql(`drop schema if exists ${schema} cascade`);
    }
  });

  it('upgrades a version 1 ledger in place: its rows stay, new rows carry their cache result', async () => {
    const schema = `llmkit_test_${randomUUID().replaceAll('-', '')}`;
    try {
      await sql(postgresLedgerV1(schema));
      // Two processes upgrading at once: the advisory lock lets one do it, the other sees version 2.
      const [first, second] = await Promise.all([1, 2].map(() => openPostgresLedger(url!, { schema })));
      await first!.write({
        calls: [callRow({ requestId: 'hit', cache: 'hit', costNanos: 0 })],
        attempts: [],
      });
      const old = (await second!.findCall('old'))?.call;
      expect(old).toMatchObject({ ...v1Call, status: 'ok' });
      expect(old?.cache).toBeUndefined();
      expect((await second!.findCall('hit'))?.call.cache).toBe('hit');
      const day = { since: Date.UTC(2024, 2, 9), until: Date.UTC(2024, 2, 10) };
      expect((await second!.summary({ ...day, groupBy: 'model' })).totals).toMatchObject({
        calls: 2,
        cacheHits: 1,
        costNanos: v1Call.costNanos,
      });
      await Promise.all([first!.close(), second!.close()]);
    } finally {
      await sql(`drop schema if exists ${schema} cascade`);
    }
  });
});

describe('postgres ledger errors', () => {
  it('names the unreachable server, without its password, in one line', async () => {
    const error = await openPostgresLedger('postgres://ledger:secret@127.0.0.1:1/llmkit').catch(
      (caught) => caught,
    );
    expect(error).toBeInstanceOf(LedgerError);
    expect(error.message).toMatch(
      /cannot reach the PostgreSQL ledger at postgres:\/\/ledger:\*\*\*@127\.0\.0\.1:1\/llmkit/,
    );
    expect(error.message).not.toContain('secret');
    expect(error.message).not.toContain('\n');
    expect(error.retryable).toBe(true);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(
      openPostgresLedger('postgres://127.0.0.1:1/x', { schema: 'a; drop table x' }),
    ).rejects.toThrow(/invalid PostgreSQL schema name/);
  });
});
