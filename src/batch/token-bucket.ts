/**
 * A token bucket refilled continuously: `perMinute` tokens a minute, holding at most a
 * minute's worth, starting full (providers' own limits allow the same burst). A request larger
 * than the whole bucket is let through once the bucket is full, so it can never wait forever.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.tokens = perMinute;
    this.last = this.now();
  }

  /** Milliseconds until `amount` can be taken; 0 means it can be taken now. */
  waitMs(amount: number): number {
    this.refill();
    const needed = Math.min(amount, this.perMinute);
    if (this.tokens >= needed) return 0;
    return Math.ceil(((needed - this.tokens) * 60_000) / this.perMinute);
  }

  /** Takes `amount` (the bucket may go negative for a request larger than the bucket). */
  take(amount: number): void {
    this.refill();
    this.tokens -= amount;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.perMinute, this.tokens + ((now - this.last) * this.perMinute) / 60_000);
    this.last = now;
  }
}
