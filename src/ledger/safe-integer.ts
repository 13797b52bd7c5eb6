import { LedgerError } from './ledger-error.js';

/**
 * Turns a SQL integer (bigint from better-sqlite3's safe-integer mode, a string from pg's
 * BIGINT and NUMERIC) into a number, refusing rather than rounding one past 2^53: a money
 * total that is silently off by a few nano-dollars is worse than an error.
 */
export function toSafeNumber(value: bigint | string | number | null, what: string): number {
  if (value === null) return 0;
  const exact = typeof value === 'bigint' ? value : BigInt(value);
  if (exact > BigInt(Number.MAX_SAFE_INTEGER) || exact < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new LedgerError(`the ledger's ${what} (${exact}) is too large to return exactly as a number`, {
      hint: 'summarise a shorter time range, or narrow it by provider or model',
    });
  }
  return Number(exact);
}

export function toBigInt(value: bigint | string | number | null): bigint {
  if (value === null) return 0n;
  return typeof value === 'bigint' ? value : BigInt(value);
}
