import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attemptRow, callRow, ledgerStoreCases } from './ledger-store.case.js';

/*
 * The writer thread exists only in the built package: a worker thread cannot load the .ts
 * sources vitest runs. So these tests import dist/ (`npm test` builds it first) and run the
 * store contract and the failure cases against a store whose writes run in that thread.
 */
const distIndex = new URL('../../dist/index.js', import.meta.url);
let dist: typeof import('./index.js');

beforeAll(async () => {
  if (!existsSync(fileURLToPath(distIndex))) throw new Error('dist/ is missing: run `npm run build` first');
  dist = await import(distIndex.href);
});

ledgerStoreCases('sqlite, written by the worker thread of dist/', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'llmkit-ledger-worker-'));
  const path = join(folder, 'llmkit.db');
  return {
    open: async () => {
      const store = dist.openSqliteLedger(path, { writeThread: 'worker' });
      expect(store.writeThread).toBe('worker');
      return store;
    },
    setSchemaVersion: async (version) => {
      const db = new Database(path);
      db.prepare("update meta set value = ? where key = 'schema_version'").run(String(version));
      db.close();
    },
    destroy: async () => rmSync(folder, { recursive: true, force: true }),
  };
});

describe('sqlite ledger writer thread (dist)', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'llmkit-ledger-worker-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('is the default in the built package, except for a database only this connection can see', async () => {
    const store = dist.openSqliteLedger(join(folder, 'llmkit.db'));
    expect(store.writeThread).toBe('worker');
    await store.close();
    const memory = dist.openSqliteLedger(':memory:');
    expect(memory.writeThread).toBe('main');
    await memory.write({ calls: [callRow({ requestId: 'm' })], attempts: [] });
    expect(await memory.findCall('m')).toBeDefined();
    await memory.close();
  });

  it('reports a lock at write time as a retryable LedgerError, and writes once it is released', async () => {
    const path = join(folder, 'llmkit.db');
    const store = dist.openSqliteLedger(path, { busyTimeoutMs: 50, writeThread: 'worker' });
    const holder = new Database(path);
    holder.exec('begin exclusive');
    const failed = await store
      .write({ calls: [callRow({ requestId: 'r1' })], attempts: [] })
      .catch((error: unknown) => error);
    expect(dist.LedgerError.isInstance(failed)).toBe(true);
    expect(failed).toMatchObject({ code: 'ledger', retryable: true });
    expect((failed as Error).message).toMatch(
      /ledger file .*llmkit\.db is locked by another connection \(waited 50 ms\)/,
    );
    holder.exec('rollback');
    holder.close();
    await store.write({ calls: [callRow({ requestId: 'r1' })], attempts: [attemptRow('r1', 1)] });
    expect(await store.findCall('r1')).toMatchObject({ attempts: [{ attempt: 1 }] });
    await store.close();
  });

  it('a sync record resolves only once its row is committed, visible to any other connection', async () => {
    const path = join(folder, 'llmkit.db');
    const store = dist.openSqliteLedger(path, { synchronous: 'full', writeThread: 'worker' });
    const writer = new dist.LedgerWriter(store, {
      queueSize: 100,
      flushIntervalMs: 10_000,
      durability: 'sync',
    });
    const reader = new Database(path, { readonly: true });
    const stored = reader.prepare('select count(*) from calls where request_id = ?').pluck();
    await Promise.all(
      Array.from({ length: 50 }, async (_, index) => {
        const requestId = `s${index}`;
        await writer.record(callRow({ requestId }), [attemptRow(requestId, 1)]);
        expect(stored.get(requestId)).toBe(1);
      }),
    );
    reader.close();
    await writer.close();
  });

  it('a buffered writer commits every row of a long run, none twice, by close', async () => {
    const path = join(folder, 'llmkit.db');
    const writer = new dist.LedgerWriter(dist.openSqliteLedger(path), {
      queueSize: 1000,
      flushIntervalMs: 5,
      durability: 'buffered',
    });
    for (let index = 0; index < 5000; index++) {
      const requestId = `b${index}`;
      await writer.record(callRow({ requestId, tags: ['x'], costNanos: 3 }), [attemptRow(requestId, 1)]);
    }
    await writer.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('select count(*), sum(cost_nanos) from calls').raw().get()).toEqual([5000, 15_000]);
    expect(db.prepare('select count(*) from attempts').pluck().get()).toBe(5000);
    expect(db.prepare('select count(*) from call_tags').pluck().get()).toBe(5000);
    db.close();
  });
});
