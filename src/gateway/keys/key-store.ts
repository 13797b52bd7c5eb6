import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Period } from '../../budget/budget-schema.js';
import { UsageError } from '../../errors/index.js';
import { generateKey, isKeyId, parseKey } from './key-format.js';
import { hashNewKey, matchesHash } from './key-hash.js';
import { type KeyRow, keyFromRow } from './key-row.js';
import { keyStoreError } from './key-store-error.js';
import { migrateKeyStore } from './key-store-schema.js';
import { validateNewKey } from './new-key.js';
import { VerifiedKeys } from './verified-keys.js';

export { KeyStoreError } from './key-store-error.js';
export { parseBudget } from './parse-budget.js';
export { policyOf } from './policy-of.js';

/** A gateway key as everyone but its holder sees it: never the secret, never its hash. */

/** Distinct secrets checked with scrypt at once for one key id; more are refused at once. */
const maxConcurrentChecksPerKey = 4;
export interface GatewayKey {
  id: string;
  name: string;
  rpm?: number;
  tpm?: number;
  budget?: { limitUsd: number; period: Period };
  /** Models the key may call; every model when absent. */
  models?: string[];
  /** ISO time. */
  createdAt: string;
  /** ISO time; a revoked key is refused at once. */
  revokedAt?: string;
}

export interface NewKey {
  name: string;
  rpm?: number;
  tpm?: number;
  budget?: { limitUsd: number; period: Period };
  models?: string[];
}

export interface KeyStoreOptions {
  /** How long a write waits for another connection's lock before failing; default 5000 ms. */
  busyTimeoutMs?: number;
  /** Most keys whose verification is remembered in memory; default 10,000. */
  cacheSize?: number;
}

const columns =
  'id, name, hash, salt, scrypt_n, scrypt_r, scrypt_p, rpm, tpm, budget_usd, budget_period, models, created_at, revoked_at';

function statements(db: Database.Database) {
  return {
    byId: db.prepare(`select ${columns} from gateway_keys where id = ?`),
    revokedAt: db.prepare('select revoked_at from gateway_keys where id = ?').pluck(),
    activeByName: db.prepare(`select ${columns} from gateway_keys where name = ? and revoked_at is null`),
    all: db.prepare(`select ${columns} from gateway_keys order by created_at, id`),
    count: db.prepare('select count(*) from gateway_keys where revoked_at is null').pluck(),
    insert: db.prepare(
      `insert into gateway_keys (${columns}) values (@id, @name, @hash, @salt, @scrypt_n, @scrypt_r, @scrypt_p,
       @rpm, @tpm, @budget_usd, @budget_period, @models, @created_at, @revoked_at)`,
    ),
    revoke: db.prepare('update gateway_keys set revoked_at = ? where id = ? and revoked_at is null'),
  };
}

/**
 * Gateway keys in SQLite (gateway.keysPath). Keys are stored only as salted scrypt hashes; a
 * verified key is remembered in memory, but its row's revoked_at is read again on every verify,
 * so a revoke from any process sharing the file takes effect on the next request. A row never
 * changes otherwise (limits are fixed at creation): a future command that edits limits in place
 * must add a column the hot path reads too.
 */
export class KeyStore {
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #busyTimeoutMs: number;
  readonly #sql: ReturnType<typeof statements>;
  readonly #verified: VerifiedKeys;
  /** Checks in flight, by the presented key's digest: a burst of requests with a new key costs one scrypt. */
  readonly #pending = new Map<string, Promise<GatewayKey | undefined>>();
  /** Uncached checks running per key id. */
  readonly #checking = new Map<string, number>();

  private constructor(db: Database.Database, path: string, options: Required<KeyStoreOptions>) {
    this.#db = db;
    this.#path = path;
    this.#busyTimeoutMs = options.busyTimeoutMs;
    this.#sql = statements(db);
    this.#verified = new VerifiedKeys(options.cacheSize);
  }

  /**
   * Opens (creating if needed) the key file: its folder, tables, WAL journal. Several processes
   * may share it. A file that is not a database, of a newer llmkit, or not writable fails with a
   * KeyStoreError naming the file.
   */
  static open(path: string, options: KeyStoreOptions = {}): KeyStore {
    const settings = { busyTimeoutMs: options.busyTimeoutMs ?? 5000, cacheSize: options.cacheSize ?? 10_000 };
    let db: Database.Database | undefined;
    try {
      if (path !== ':memory:') createPrivately(path);
      db = new Database(path, { timeout: settings.busyTimeoutMs });
      // WAL: a verify (a read) never waits for a create or revoke in another process.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrateKeyStore(db, path);
      return new KeyStore(db, path, settings);
    } catch (error) {
      db?.close();
      throw keyStoreError(path, error, settings.busyTimeoutMs);
    }
  }

  /** Creates a key and returns it: the only time the key itself exists outside its holder. */
  create(input: NewKey): { key: string; record: GatewayKey } {
    const valid = validateNewKey(input);
    const { key, id } = generateKey();
    const { salt, hash, parameters } = hashNewKey(key);
    const row: KeyRow = {
      id,
      name: valid.name,
      hash,
      salt,
      scrypt_n: parameters.N,
      scrypt_r: parameters.r,
      scrypt_p: parameters.p,
      rpm: valid.rpm ?? null,
      tpm: valid.tpm ?? null,
      budget_usd: valid.budget?.limitUsd ?? null,
      budget_period: valid.budget?.period ?? null,
      models: valid.models ? JSON.stringify(valid.models) : null,
      created_at: new Date().toISOString(),
      revoked_at: null,
    };
    try {
      this.#sql.insert.run(row);
    } catch (error) {
      if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new UsageError(`a key named "${valid.name}" already exists`, {
          hint: `choose another name, or revoke that key first: llmkit keys revoke ${valid.name}`,
        });
      }
      throw keyStoreError(this.#path, error, this.#busyTimeoutMs);
    }
    return { key, record: keyFromRow(row) };
  }

  /**
   * The key's record if `presented` is a key in force, else undefined (malformed, unknown, wrong
   * secret, revoked). A key seen before answers synchronously in microseconds, with one frozen
   * record shared by its requests; a new one returns a Promise while scrypt runs off the event
   * loop (concurrent checks of the same key share it). Throws a KeyStoreError if the file cannot
   * be read.
   */
  verify(presented: string): GatewayKey | undefined | Promise<GatewayKey | undefined> {
    const parts = parseKey(presented);
    if (parts === undefined) return undefined;
    if (this.#verified.has(parts.id)) {
      // The hot path: one indexed read of the one column that changes, so a revoke by any
      // process sharing the file refuses the key on its next request.
      const revokedAt = this.#guard(() => this.#sql.revokedAt.get(parts.id) as string | null | undefined);
      if (revokedAt !== null) {
        this.#verified.forget(parts.id);
        return undefined;
      }
      return this.#verified.match(parts.id, presented) || undefined;
    }
    const row = this.#row(parts.id);
    if (row === undefined || row.revoked_at !== null) return undefined;
    const digest = this.#verified.digest(presented);
    const pendingKey = digest.toString('hex');
    let pending = this.#pending.get(pendingKey);
    if (pending === undefined) {
      // Distinct secrets tried at once against one id are guesses (a real key's concurrent first
      // requests share one check): past a few, refuse without scrypt, so a flood of guesses cannot
      // fill libuv's thread pool and stall every other key's first check.
      const guesses = this.#checking.get(parts.id) ?? 0;
      if (guesses >= maxConcurrentChecksPerKey) return undefined;
      this.#checking.set(parts.id, guesses + 1);
      pending = this.#verifySlowly(presented, digest, row).finally(() => {
        this.#pending.delete(pendingKey);
        const left = (this.#checking.get(parts.id) ?? 1) - 1;
        if (left > 0) this.#checking.set(parts.id, left);
        else this.#checking.delete(parts.id);
      });
      this.#pending.set(pendingKey, pending);
    }
    return pending;
  }

  async #verifySlowly(presented: string, digest: Buffer, row: KeyRow): Promise<GatewayKey | undefined> {
    const parameters = { N: row.scrypt_n, r: row.scrypt_r, p: row.scrypt_p };
    if (!(await matchesHash(presented, { salt: row.salt, hash: row.hash, parameters }))) return undefined;
    if (!this.#db.open) return undefined;
    // scrypt took milliseconds: the key may have been revoked meanwhile.
    const now = this.#row(row.id);
    if (now === undefined || now.revoked_at !== null || !now.hash.equals(row.hash)) return undefined;
    const key = keyFromRow(now);
    this.#verified.remember(row.id, digest, key);
    return key;
  }

  /** Every key, in force and revoked, oldest first. */
  list(): GatewayKey[] {
    return this.#guard(() => (this.#sql.all.all() as KeyRow[]).map(keyFromRow));
  }

  /** Revokes the key in force with this id or name; undefined when there is none. */
  revoke(nameOrId: string): GatewayKey | undefined {
    const revokedAt = new Date().toISOString();
    const row = this.#guard(() =>
      this.#db
        .transaction(() => {
          const found = (isKeyId(nameOrId) ? this.#sql.byId : this.#sql.activeByName).get(nameOrId) as
            | KeyRow
            | undefined;
          if (found === undefined || found.revoked_at !== null) return undefined;
          this.#sql.revoke.run(revokedAt, found.id);
          return { ...found, revoked_at: revokedAt };
        })
        .immediate(),
    );
    if (row === undefined) return undefined;
    this.#verified.forget(row.id);
    return keyFromRow(row);
  }

  /** Keys in force. */
  count(): number {
    return this.#guard(() => this.#sql.count.get() as number);
  }

  close(): void {
    this.#verified.clear();
    if (this.#db.open) this.#db.close();
  }

  #row(id: string): KeyRow | undefined {
    return this.#guard(() => this.#sql.byId.get(id) as KeyRow | undefined);
  }

  #guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof Database.SqliteError) throw keyStoreError(this.#path, error, this.#busyTimeoutMs);
      throw error;
    }
  }
}

/**
 * Makes the folder and an empty file readable by this user only, before SQLite opens it: its
 * -wal and -shm files then get the same mode. The rows hold no usable secret, but names,
 * limits and hashes are nobody else's business.
 */
function createPrivately(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
}
