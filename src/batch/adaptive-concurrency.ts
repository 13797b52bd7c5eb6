/**
 * AIMD concurrency, as TCP does congestion: a 429 halves the limit (at most once per
 * `cooldownMs`, so one burst of 429s from the same moment counts once), every success adds
 * 1/limit, so the limit grows back by one per round of completions, up to the maximum.
 */
export class AdaptiveConcurrency {
  private value: number;
  private lastCut = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly max: number,
    private readonly cooldownMs = 1_000,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.value = max;
  }

  /** Items that may be in flight now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.value));
  }

  onRateLimited(): void {
    const now = this.now();
    if (now - this.lastCut < this.cooldownMs) return;
    this.lastCut = now;
    this.value = Math.max(1, Math.floor(this.value / 2));
  }

  onSuccess(): void {
    this.value = Math.min(this.max, this.value + 1 / this.limit);
  }
}
