import type { BudgetLine, LineState, Reservation } from './budget-store.js';

export type Counters = Omit<LineState, 'key'>;

export type Admission = { ok: true; nanos: number; tokens: number } | { ok: false; refusedBy: string };

export const zeroCounters: Counters = { spentNanos: 0, reservedNanos: 0, spentTokens: 0, reservedTokens: 0 };

/*
 * The admission rule, shared by both backends. SQLite runs this function inside its
 * transaction; Redis runs a line-for-line Lua copy (redis-budget-scripts.ts) inside its script.
 * Both compute in IEEE doubles with the same operations in the same order, so they agree to the
 * last nano-dollar; every value stays below 2^53, where doubles are exact integers.
 */

function fits(line: BudgetLine, counters: Counters, nanos: number, tokens: number): boolean {
  if (line.limitNanos !== null && counters.spentNanos + counters.reservedNanos + nanos > line.limitNanos)
    return false;
  if (
    line.limitTokens !== null &&
    counters.spentTokens + counters.reservedTokens + tokens > line.limitTokens
  ) {
    return false;
  }
  return true;
}

/** Tokens reserved with a clamped amount: scaled like the amount, rounded down. */
function scaledTokens(reservation: Reservation, nanos: number): number {
  if (reservation.amountNanos === 0) return reservation.tokens;
  return Math.floor((reservation.tokens * nanos) / reservation.amountNanos);
}

function firstRefusing(
  lines: readonly BudgetLine[],
  counters: readonly Counters[],
  nanos: number,
  tokens: number,
): string | undefined {
  return lines.find((line, index) => line.hard && !fits(line, counters[index] ?? zeroCounters, nanos, tokens))
    ?.key;
}

/**
 * What `reservation` may take of `lines`, whose counters are `counters` (same order): all of
 * it, or with `minimumNanos` the largest amount in [minimumNanos, amountNanos] that every hard
 * line still has room for, or nothing, naming the first hard line (in `lines` order) that
 * refused: the one without room for the amount, or for the minimum when clamping failed.
 */
export function admit(
  lines: readonly BudgetLine[],
  counters: readonly Counters[],
  reservation: Reservation,
): Admission {
  const { amountNanos: amount, tokens, minimumNanos: minimum } = reservation;
  const refusedBy = firstRefusing(lines, counters, amount, tokens);
  if (refusedBy === undefined) return { ok: true, nanos: amount, tokens };
  if (minimum === undefined || amount === 0) return { ok: false, refusedBy };
  let nanos = amount;
  lines.forEach((line, index) => {
    if (!line.hard) return;
    const counter = counters[index] ?? zeroCounters;
    if (line.limitNanos !== null) {
      nanos = Math.min(nanos, line.limitNanos - counter.spentNanos - counter.reservedNanos);
    }
    if (line.limitTokens !== null && tokens > 0) {
      // The largest amount whose scaled tokens, rounded down, still fit the room left.
      const room = line.limitTokens - counter.spentTokens - counter.reservedTokens;
      nanos = Math.min(nanos, Math.ceil(((room + 1) * amount) / tokens) - 1);
    }
  });
  // Doubles can round the division above up by one; step down until the result really fits.
  for (let step = 0; step < 3 && nanos >= minimum; step += 1) {
    const clampedTokens = scaledTokens(reservation, nanos);
    if (firstRefusing(lines, counters, nanos, clampedTokens) === undefined) {
      return { ok: true, nanos, tokens: clampedTokens };
    }
    nanos -= 1;
  }
  return {
    ok: false,
    refusedBy: firstRefusing(lines, counters, minimum, scaledTokens(reservation, minimum)) ?? refusedBy,
  };
}
