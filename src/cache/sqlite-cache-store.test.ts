import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheStoreCases } from './cache-store.case.js';
import { openSqliteCacheStore } from './sqlite-cache-store.js';

const folder = mkdtempSync(join(tmpdir(), 'llmkit-cache-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(folder, `cache-${++files}.db`);

cacheStoreCases('sqlite', async () => openSqliteCacheStore(freshPath()));

describe('sqlite cache store', () => {
  it('keeps entries across processes sharing the file, in WAL mode, creating its folder', async () => {
    const path = join(folder, 'deep', 'er', 'cache.db');
    const writer = openSqliteCacheStore(path);
    const reader = openSqliteCacheStore(path);
    await writer.set('k', 'v', 60_000);
    expect(await reader.get('k')).toBe('v');
    await writer.close();
    await reader.close();
    const reopened = openSqliteCacheStore(path);
    expect(await reopened.get('k')).toBe('v');
    await reopened.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('deletes expired rows as it writes, so the file does not grow with dead entries', async () => {
    let now = 1_000;
    const path = freshPath();
    const store = openSqliteCacheStore(path, { now: () => now });
    for (let index = 0; index < 10; index++) await store.set(`old-${index}`, 'x', 10);
    now += 1_000;
    for (let index = 0; index < 64; index++) await store.set(`new-${index}`, 'y', 60_000);
    const db = new Database(path, { readonly: true });
    expect(db.prepare("select count(*) from cache_entries where key like 'old-%'").pluck().get()).toBe(0);
    db.close();
    await store.close();
  });
});
