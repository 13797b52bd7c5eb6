import type Database from 'better-sqlite3';
import { KeyStoreError } from './key-store-error.js';

/** Version of the key tables this code writes, in `gateway_keys_meta`. */
export const keySchemaVersion = 1;

// Prefixed names, so gateway.keysPath may share a file with other gateway tables. Only the
// scrypt hash and its salt are stored, never the key; the length check makes a hand-edited
// empty hash impossible. The partial index keeps names unique among keys still in force, so a
// revoked name can be given to a new key, and two processes cannot create the same name.
const tables = `
create table gateway_keys (
  id text primary key,
  name text not null,
  hash blob not null check (length(hash) = 32),
  salt blob not null,
  scrypt_n integer not null,
  scrypt_r integer not null,
  scrypt_p integer not null,
  rpm integer,
  tpm integer,
  budget_usd real,
  budget_period text,
  models text,
  created_at text not null,
  revoked_at text
) strict;
create unique index gateway_keys_active_name on gateway_keys (name) where revoked_at is null;
`;

function storedVersion(db: Database.Database): number | undefined {
  const meta = db
    .prepare("select 1 from sqlite_master where type = 'table' and name = 'gateway_keys_meta'")
    .get();
  if (!meta) return undefined;
  const row = db.prepare("select value from gateway_keys_meta where key = 'schema_version'").get() as
    | { value: string }
    | undefined;
  return row ? Number(row.value) : undefined;
}

/** Creates the tables on first use; refuses a file written by a newer llmkit. */
export function migrateKeyStore(db: Database.Database, path: string): void {
  // Read first, so opening an existing file takes no write lock.
  let version = storedVersion(db);
  if (version === undefined) {
    db.transaction(() => {
      // Another process may have created the tables between the read and this write lock.
      version = storedVersion(db);
      if (version !== undefined) return;
      db.exec(
        'create table if not exists gateway_keys_meta (key text primary key, value text not null) strict',
      );
      db.exec(tables);
      db.prepare("insert into gateway_keys_meta (key, value) values ('schema_version', ?)").run(
        String(keySchemaVersion),
      );
      version = keySchemaVersion;
    }).immediate();
  }
  if (version === undefined || !Number.isInteger(version) || version < 1 || version > keySchemaVersion) {
    throw new KeyStoreError(
      `gateway key file ${path} has schema version ${version}, which this llmkit (version ${keySchemaVersion}) cannot use`,
      { hint: 'upgrade llmkit to the version that wrote it, or set gateway.keysPath to another file' },
    );
  }
}
