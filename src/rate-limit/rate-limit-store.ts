/**
 * Where rate-limit counters live: this process (`memory`) or Redis, shared by every instance.
 * Each limit is a sliding minute of per-second counters (see sliding-window.ts); an admission
 * checks and counts every limit of a call at once, all or nothing.
 */

/** One limit a call must fit: `amount` more (1 request, or its estimated tokens) under `limit`. */
export interface LimitCheck {
  /** The counter, e.g. `key:team-a/rpm`; instances share a limit by sharing its id. */
  id: string;
  limit: number;
  amount: number;
}

export type AdmitOutcome =
  /** Counted on every limit, in `second` (epoch seconds of the store's clock): adjust with it. */
  | { ok: true; second: number }
  /**
   * Counted on none. `refused` is the index of the check that waits longest, `retryAfterMs` when
   * all would fit again; undefined when that one never can (its amount alone is over its limit).
   */
  | { ok: false; refused: number; retryAfterMs: number | undefined };

export interface RateLimitStore {
  readonly backend: 'memory' | 'redis';
  admit(checks: readonly LimitCheck[]): Promise<AdmitOutcome>;
  /** Corrects amounts counted in `second` (a token estimate, now known); a second already out of the window is left alone. */
  adjust(second: number, changes: ReadonlyArray<{ id: string; delta: number }>): Promise<void>;
  close(): Promise<void>;
}
