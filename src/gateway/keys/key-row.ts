import type { Period } from '../../budget/budget-schema.js';
import type { GatewayKey } from './key-store.js';

/** A `gateway_keys` row as better-sqlite3 returns it. */
export interface KeyRow {
  id: string;
  name: string;
  hash: Buffer;
  salt: Buffer;
  scrypt_n: number;
  scrypt_r: number;
  scrypt_p: number;
  rpm: number | null;
  tpm: number | null;
  budget_usd: number | null;
  budget_period: string | null;
  models: string | null;
  created_at: string;
  revoked_at: string | null;
}

/** The public view of a row: never the hash or the salt. */
export function keyFromRow(row: KeyRow): GatewayKey {
  const key: GatewayKey = { id: row.id, name: row.name, createdAt: row.created_at };
  if (row.rpm !== null) key.rpm = row.rpm;
  if (row.tpm !== null) key.tpm = row.tpm;
  if (row.budget_usd !== null && row.budget_period !== null) {
    key.budget = { limitUsd: row.budget_usd, period: row.budget_period as Period };
  }
  if (row.models !== null) key.models = JSON.parse(row.models) as string[];
  if (row.revoked_at !== null) key.revokedAt = row.revoked_at;
  return key;
}
