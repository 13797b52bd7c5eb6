/**
 * Where budget counters live: SQLite for one process (the embedded default), Redis for several.
 * Every operation is atomic across all the lines it touches; no counter is ever seeded from
 * anywhere else (the ledger, another instance), so several instances can never multiply one.
 */

/** One budget in its current period, e.g. `daily-global|2026-11-24`. */
export interface BudgetLine {
  /** Unique per budget and period; a new period is simply a new key. */
  key: string;
  /** Integer nano-dollars; null when the budget limits tokens only. */
  limitNanos: number | null;
  limitTokens: number | null;
  /** Hard lines refuse what does not fit; soft lines only count. */
  hard: boolean;
  /** Epoch ms after which the line's counters may be dropped (period end plus a grace). */
  expiresAt: number;
}

export interface Reservation {
  /** llmkit's call id; settles are idempotent by it. */
  requestId: string;
  /** The worst case: what the call may cost at most. */
  amountNanos: number;
  tokens: number;
  /**
   * When set, the store may reserve less than `amountNanos`, down to this, if that is all the
   * hard lines have left (the caller then lowers max_tokens to match: "clamp"). The largest
   * amount that fits is taken, and `tokens` is scaled by the same ratio, rounded down.
   */
  minimumNanos?: number;
  /** Released by `expire` if never settled (the process died): epoch ms. */
  expiresAt: number;
}

export interface LineState {
  key: string;
  spentNanos: number;
  reservedNanos: number;
  spentTokens: number;
  reservedTokens: number;
}

export type ReserveOutcome =
  | { ok: true; reservedNanos: number; lines: LineState[] }
  | { ok: false; refusedBy: string; lines: LineState[] };

export interface BudgetStore {
  readonly backend: 'sqlite' | 'redis';
  /**
   * All or nothing: reserves on every line, or, when a hard line cannot take it, on none and
   * says which refused. Soft lines never refuse. Reserving twice for one requestId (even after
   * its settle) is a programming error: it rejects with an Error and changes nothing.
   */
  reserve(lines: readonly BudgetLine[], reservation: Reservation): Promise<ReserveOutcome>;
  /**
   * Turns the call's reservation into spend of `actual` and releases the rest, on every line it
   * reserved, and returns those lines' counters. Idempotent: a second settle of the same
   * requestId changes nothing. A reservation `expire` already released still records its spend;
   * an unknown requestId (or one closed more than a day ago) records nothing and returns [].
   */
  settle(requestId: string, actual: { nanos: number; tokens: number }): Promise<LineState[]>;
  /** Releases reservations whose `expiresAt` passed (their process died); returns how many. */
  expire(now: number): Promise<number>;
  state(keys: readonly string[]): Promise<LineState[]>;
  /**
   * True for exactly one caller per (key, threshold), across restarts and instances, for as long
   * as the line lives; false for a line with no counters (nothing can have crossed there).
   */
  claimAlert(key: string, threshold: number): Promise<boolean>;
  close(): Promise<void>;
}
