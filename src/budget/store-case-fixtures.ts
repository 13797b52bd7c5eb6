import type { BudgetLine, LineState, Reservation } from './budget-store.js';

/** Builders for the budget store contract suites: a line good for an hour, a call reserving $0.0000001. */

const hour = 3_600_000;
let sequence = 0;

export function line(key: string, overrides: Partial<BudgetLine> = {}): BudgetLine {
  return { key, limitNanos: null, limitTokens: null, hard: true, expiresAt: Date.now() + hour, ...overrides };
}

export function reservation(overrides: Partial<Reservation> = {}): Reservation {
  sequence += 1;
  return {
    requestId: `call-${sequence}`,
    amountNanos: 100,
    tokens: 10,
    expiresAt: Date.now() + 60_000,
    ...overrides,
  };
}

export function counters(
  key: string,
  spentNanos = 0,
  reservedNanos = 0,
  spentTokens = 0,
  reservedTokens = 0,
): LineState {
  return { key, spentNanos, reservedNanos, spentTokens, reservedTokens };
}

/** A seeded random number generator (mulberry32), so a failing run can be replayed. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
