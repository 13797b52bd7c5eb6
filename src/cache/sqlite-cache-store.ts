import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CacheStore, Clock } from './cache-store.js';

export interface SqliteCacheStoreOptions {
  /** How long a write waits for another connection's lock; default 1000 ms (a cache must not stall calls). */
  busyTimeoutMs?: number;
  now?: Clock;
}

// Expired rows are deleted a few at a time, every `purgeEvery` writes: no timer, no full scan.
const purgeEvery = 64;
const purgeBatch = 256;

/**
 * Entries in one SQLite file (WAL), shared by every process on the machine and kept across
 * restarts. Reads never wait for writers. An expired row is dead to `get` at once, and deleted
 * later by the lazy purge.
 */
export function openSqliteCacheStore(path: string, options: SqliteCacheStoreOptions = {}): CacheStore {
  const now = options.now ?? Date.now;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: options.busyTimeoutMs ?? 1000 });
  try {
    db.pragma('journal_mode = WAL');
    // A lost write costs one upstream call later; no fsync per entry.
    db.pragma('synchronous = NORMAL');
    db.exec(`create table if not exists cache_entries (
      key text primary key,
      value text not null,
      expires_at integer not null
    ) strict;
    create index if not exists cache_entries_expires_at on cache_entries (expires_at);`);
  } catch (error) {
    db.close();
    throw error;
  }
  const read = db.prepare('select value from cache_entries where key = ? and expires_at > ?').pluck();
  const write = db.prepare(
    `insert into cache_entries (key, value, expires_at) values (?, ?, ?)
     on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at`,
  );
  const purge = db.prepare(
    'delete from cache_entries where key in (select key from cache_entries where expires_at <= ? limit ?)',
  );
  let writes = 0;
  return {
    backend: 'sqlite',
    async get(key) {
      const value: unknown = read.get(key, now());
      return typeof value === 'string' ? value : undefined;
    },
    async set(key, value, ttlMs) {
      const at = now();
      write.run(key, value, at + ttlMs);
      if (++writes % purgeEvery === 0) purge.run(at, purgeBatch);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
