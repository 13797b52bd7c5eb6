/** The window every limit is per: a minute. */
export const windowSeconds = 60;
/**
 * Slots kept: the current second and the 60 before it. An amount counts from the second it was
 * admitted in until that second is 61 seconds old, so for at least 60 s and at most 61 s: no
 * 60-second span can ever admit more than the limit, and room frees at most a second late.
 */
export const slots = windowSeconds + 1;

/**
 * One limit's counters for the last minute, one per second, in a ring. `total` is kept as slots
 * are added and dropped, so admitting is O(1) however busy the limit is (dropping is amortised).
 */
export class SlidingWindow {
  readonly #counts = new Float64Array(slots);
  #total = 0;
  /** The newest second the ring holds; older ones fall out as it advances. */
  #newest = Number.NEGATIVE_INFINITY;

  /** What the window holds at `second`. */
  total(second: number): number {
    this.#advance(second);
    return this.#total;
  }

  /** Whether the window holds nothing and will not until something is added: safe to drop. */
  idle(second: number): boolean {
    return second - this.#newest >= slots || this.total(second) === 0;
  }

  add(second: number, amount: number): void {
    this.#advance(second);
    const index = this.#newest % slots;
    this.#counts[index] = (this.#counts[index] ?? 0) + amount;
    this.#total += amount;
  }

  /** Corrects what `second` counted (an estimate, now known), if that second is still in the window. */
  adjust(second: number, delta: number): void {
    this.#advance(second);
    if (this.#newest - second >= slots || second > this.#newest) return;
    const index = second % slots;
    const before = this.#counts[index] ?? 0;
    const after = Math.max(0, before + delta);
    this.#counts[index] = after;
    this.#total += after - before;
  }

  /**
   * Milliseconds from `nowMs` until `amount` more fits under `limit`: when enough of the oldest
   * seconds have left the window. Undefined when it never can (the amount alone is over the limit).
   */
  waitMs(nowMs: number, amount: number, limit: number): number | undefined {
    if (amount > limit) return undefined;
    const second = Math.floor(nowMs / 1000);
    const need = this.total(second) + amount - limit;
    if (need <= 0) return 0;
    let freed = 0;
    for (let oldest = second - windowSeconds; oldest <= second; oldest++) {
      freed += this.#counts[oldest % slots] ?? 0;
      if (freed >= need) return (oldest + slots) * 1000 - nowMs;
    }
    return undefined;
  }

  #advance(second: number): void {
    // A clock stepping back (NTP) simply counts into the newest second.
    if (second <= this.#newest) return;
    if (second - this.#newest >= slots) {
      this.#counts.fill(0);
      this.#total = 0;
    } else {
      for (let dropped = this.#newest + 1; dropped <= second; dropped++) {
        this.#total -= this.#counts[dropped % slots] ?? 0;
        this.#counts[dropped % slots] = 0;
      }
    }
    this.#newest = second;
  }
}
