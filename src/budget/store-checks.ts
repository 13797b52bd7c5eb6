import type { BudgetLine, Reservation } from './budget-store.js';

/*
 * Lines and reservations come from inside llmkit, so this is not input validation: it stops a
 * programming error at the door, before anything is written. A fractional or unsafe amount would
 * break the exact integer sums (SQLite INTEGER columns, Redis HINCRBY) or, past 2^53, be rounded
 * by the doubles that JavaScript and Redis's Lua share.
 */

function count(value: number, name: string, where: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${where}: ${name} must be a whole number >= 0, got ${value}`);
  }
}

function text(value: string, name: string): void {
  if (typeof value !== 'string' || value === '')
    throw new RangeError(`budget store: ${name} must be a non-empty string`);
}

/** Throws a RangeError naming the first bad field. */
export function checkReserve(lines: readonly BudgetLine[], reservation: Reservation): void {
  text(reservation.requestId, 'requestId');
  const where = `budget reservation ${reservation.requestId}`;
  count(reservation.amountNanos, 'amountNanos', where);
  count(reservation.tokens, 'tokens', where);
  if (reservation.minimumNanos !== undefined) count(reservation.minimumNanos, 'minimumNanos', where);
  count(reservation.expiresAt, 'expiresAt', where);
  const keys = new Set<string>();
  for (const line of lines) {
    text(line.key, 'line key');
    // The same line twice would reserve twice on it.
    if (keys.has(line.key)) throw new RangeError(`${where}: line ${line.key} appears twice`);
    keys.add(line.key);
    if (line.limitNanos !== null) count(line.limitNanos, 'limitNanos', `${where}, line ${line.key}`);
    if (line.limitTokens !== null) count(line.limitTokens, 'limitTokens', `${where}, line ${line.key}`);
    count(line.expiresAt, 'expiresAt', `${where}, line ${line.key}`);
  }
}

export function checkSettle(requestId: string, actual: { nanos: number; tokens: number }): void {
  text(requestId, 'requestId');
  count(actual.nanos, 'nanos', `budget settle ${requestId}`);
  count(actual.tokens, 'tokens', `budget settle ${requestId}`);
}

export function checkAlert(key: string, threshold: number): void {
  text(key, 'line key');
  if (!Number.isFinite(threshold)) throw new RangeError(`budget alert on ${key}: threshold must be a number`);
}

export function duplicateReservation(requestId: string): Error {
  return new Error(
    `budget reservation ${requestId} already exists: every call reserves once, under its own requestId (a reused id would let two calls share one reservation and lose a settle)`,
  );
}

/** Reservations released or settled this long ago are forgotten (a later settle of them records nothing). */
export const closedRetentionMs = 86_400_000;
/** How many overdue reservations each reserve releases first, so a dead process never blocks a budget for long. */
export const sweepPerReserve = 10;
/** How many reservations one `expire` step (transaction or script) releases at most. */
export const expireBatch = 500;
