import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerError } from './ledger-error.js';
import { callRow, ledgerStoreCases } from './ledger-store.case.js';
import { sqliteLedgerV1, v1Call } from './ledger-v1.fixture.js';
import { openSqliteLedger } from './sqlite-ledger.js';

ledgerStoreCases('sqlite', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'llmkit-ledger-'));
  const path = join(folder, 'llmkit.db');
  return {
    open: async () => openSqliteLedger(path),
    setSchemaVersion: async (version) => {
      const db = new Database(path);
      db.prepare("update meta set value = ? where key = 'schema_version'").run(String(version));
      db.close();
    },
    destroy: async () => rmSync(folder, { recursive: true, force: true }),
  };
});

describe('sqlite ledger file', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'llmkit-ledger-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('creates missing folders and uses WAL', async () => {
    const path = join(folder, 'deep', 'er', 'llmkit.db');
    const store = openSqliteLedger(path);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('writes in the calling thread when run from the sources, which have no worker file to start', async () => {
    const path = join(folder, 'llmkit.db');
    const store = openSqliteLedger(path);
    expect(store.writeThread).toBe('main');
    await store.close();
    expect(() => openSqliteLedger(path, { writeThread: 'worker' })).toThrow(
      /asked to write in a worker thread, but sqlite-write-worker\.js is missing/,
    );
  });

  it('refuses a file that is not a database, naming it, and leaves it untouched', () => {
    const path = join(folder, 'llmkit.db');
    const garbage = Buffer.from('this is not a database\n'.repeat(400));
    writeFileSync(path, garbage);
    let thrown: unknown;
    try {
      openSqliteLedger(path);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LedgerError);
    const message = (thrown as LedgerError).message;
    expect(message).toContain(path);
    expect(message).toMatch(/not a valid SQLite database/);
    expect(message).toMatch(/move it aside/);
    expect(message).not.toContain('\n');
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });

  it('fails with a one-line lock error when another connection holds the file past busy_timeout', async () => {
    const path = join(folder, 'llmkit.db');
    // A database still in rollback-journal mode, exclusively locked: even reading the schema waits.
    const holder = new Database(path);
    holder.exec('create table unrelated (x integer)');
    holder.exec('begin exclusive');
    try {
      const started = Date.now();
      expect(() => openSqliteLedger(path, { busyTimeoutMs: 100 })).toThrow(
        /ledger file .*llmkit\.db is locked by another connection \(waited 100 ms\)/,
      );
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      holder.exec('rollback');
      holder.close();
    }
    expect(readFileSync(path).length).toBeGreaterThan(0);
  });

  it('reports a lock at write time as retryable, and writes once it is released', async () => {
    const path = join(folder, 'llmkit.db');
    const store = openSqliteLedger(path, { busyTimeoutMs: 50 });
    const holder = new Database(path);
    holder.exec('begin exclusive');
    const failed = await store
      .write({ calls: [callRow({ requestId: 'r1' })], attempts: [] })
      .catch((error) => error);
    expect(failed).toBeInstanceOf(LedgerError);
    expect(failed.retryable).toBe(true);
    expect(failed.message).toMatch(/is locked by another connection/);
    holder.exec('rollback');
    holder.close();
    await store.write({ calls: [callRow({ requestId: 'r1' })], attempts: [] });
    expect(await store.findCall('r1')).toBeDefined();
    await store.close();
  });

  it('upgrades a version 1 ledger in place: its rows stay, new rows carry their cache result', async () => {
    const path = join(folder, 'llmkit.db');
    const old = new Database(path);
    old.exec(sqliteLedgerV1);
    old.close();
    let store = openSqliteLedger(path);
    await store.write({ calls: [callRow({ requestId: 'hit', cache: 'hit', costNanos: 0 })], attempts: [] });
    await store.close();
    // Opening the upgraded file again finds version 2 and changes nothing.
    store = openSqliteLedger(path);
    const old1 = (await store.findCall('old'))?.call;
    expect(old1).toMatchObject({ ...v1Call, status: 'ok' });
    expect(old1?.cache).toBeUndefined();
    expect((await store.findCall('hit'))?.call.cache).toBe('hit');
    const day = { since: Date.UTC(2024, 2, 9), until: Date.UTC(2024, 2, 10) };
    expect((await store.summary({ ...day, groupBy: 'model' })).totals).toMatchObject({
      calls: 2,
      cacheHits: 1,
      costNanos: v1Call.costNanos,
      inputTokens: v1Call.inputTokens,
    });
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare("select value from meta where key = 'schema_version'").pluck().get()).toBe('2');
    db.close();
  });
});
