import type { AdmitOutcome, LimitCheck, RateLimitStore } from './rate-limit-store.js';
import { SlidingWindow } from './sliding-window.js';

// Windows idle for a whole minute are dropped this often, so a gateway with many keys stays small.
const sweepEverySeconds = 60;

/** Counters in this process: exact under any concurrency, since one admission runs to its end. */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly backend = 'memory';
  readonly #windows = new Map<string, SlidingWindow>();
  readonly #now: () => number;
  #lastSecond = 0;
  #sweptAt = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  admit(checks: readonly LimitCheck[]): Promise<AdmitOutcome> {
    return Promise.resolve(this.admitNow(checks));
  }

  /** `admit` without the promise, for callers that can use the answer at once. */
  admitNow(checks: readonly LimitCheck[]): AdmitOutcome {
    const nowMs = this.#now();
    // Monotonic, so an adjust always finds the second its admission counted in.
    const second = Math.max(this.#lastSecond, Math.floor(nowMs / 1000));
    this.#lastSecond = second;
    if (second - this.#sweptAt >= sweepEverySeconds) this.#sweep(second);
    let refused = -1;
    let longest: number | undefined = 0;
    for (let index = 0; index < checks.length; index++) {
      const check = checks[index]!;
      const window = this.#window(check.id);
      if (window.total(second) + check.amount <= check.limit) continue;
      const wait = window.waitMs(Math.max(nowMs, second * 1000), check.amount, check.limit);
      // The longest wait decides when the call fits; a limit it can never fit decides outright.
      if (refused === -1 || (longest !== undefined && (wait === undefined || wait > longest))) {
        refused = index;
        longest = wait;
      }
    }
    if (refused !== -1) return { ok: false, refused, retryAfterMs: longest };
    for (const check of checks) this.#window(check.id).add(second, check.amount);
    return { ok: true, second };
  }

  adjust(second: number, changes: ReadonlyArray<{ id: string; delta: number }>): Promise<void> {
    for (const { id, delta } of changes) this.#windows.get(id)?.adjust(second, delta);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#windows.clear();
    return Promise.resolve();
  }

  #window(id: string): SlidingWindow {
    let window = this.#windows.get(id);
    if (!window) {
      window = new SlidingWindow();
      this.#windows.set(id, window);
    }
    return window;
  }

  #sweep(second: number): void {
    this.#sweptAt = second;
    for (const [id, window] of this.#windows) if (window.idle(second)) this.#windows.delete(id);
  }
}
