import type { BreakerSettings } from './routes-schema.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * One upstream's circuit breaker. Closed, it lets every call through and remembers when the
 * last `failureThreshold` failed attempts happened; once they all fall within `windowMs` it
 * opens. Open, it turns calls away for `cooldownMs`, then becomes half-open: one probe call at
 * a time may go; its success closes the breaker, its failure opens it for another cooldown.
 *
 * There are no timers: the state follows from the times passed in, so a breaker costs nothing
 * while idle and tests can pass their own clock.
 */
export class CircuitBreaker {
  private readonly failures: number[];
  /** Next slot of `failures` to overwrite: a ring of the latest failure times. */
  private next = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(private readonly settings: BreakerSettings) {
    this.failures = new Array<number>(settings.failureThreshold).fill(Number.NEGATIVE_INFINITY);
  }

  state(now: number): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return now - this.openedAt < this.settings.cooldownMs ? 'open' : 'half-open';
  }

  /** When the breaker last opened (epoch ms); undefined while closed. */
  get openedSince(): number | undefined {
    return this.openedAt;
  }

  /** When an open breaker lets a probe through; undefined while closed. */
  reopensAt(): number | undefined {
    return this.openedAt === undefined ? undefined : this.openedAt + this.settings.cooldownMs;
  }

  /** Whether a call could go now, without claiming the half-open probe. */
  available(now: number): boolean {
    if (!this.settings.enabled) return true;
    const state = this.state(now);
    return state === 'closed' || (state === 'half-open' && !this.probing);
  }

  /**
   * Claims the right to send a call: always while closed, the single probe while half-open.
   * Returns 'probe' when the call is that probe (it must end with `succeeded`, `failed` or `released`).
   */
  acquire(now: number): 'call' | 'probe' | undefined {
    if (!this.settings.enabled) return 'call';
    const state = this.state(now);
    if (state === 'closed') return 'call';
    if (state === 'open' || this.probing) return undefined;
    this.probing = true;
    return 'probe';
  }

  /**
   * A failed attempt; `probe` when it was the half-open probe. Returns true when it opened the
   * breaker. Calls already in flight when the breaker opened do not extend its cooldown.
   */
  failed(now: number, probe: boolean): boolean {
    if (!this.settings.enabled) return false;
    if (probe) {
      this.open(now);
      return true;
    }
    if (this.openedAt !== undefined) return false;
    this.failures[this.next] = now;
    this.next = (this.next + 1) % this.failures.length;
    // The slot just past the newest is the oldest of the last `failureThreshold` failures.
    const oldest = this.failures[this.next] ?? Number.NEGATIVE_INFINITY;
    if (now - oldest > this.settings.windowMs) return false;
    this.open(now);
    return true;
  }

  /**
   * A successful attempt. Only the probe's success closes the breaker: a slow call that began
   * before it opened proves little. While closed, failures simply age out of the window.
   */
  succeeded(probe: boolean): void {
    if (!probe) return;
    this.probing = false;
    this.openedAt = undefined;
    this.failures.fill(Number.NEGATIVE_INFINITY);
  }

  /** The probe ended without a verdict (aborted, a 400): the next call may probe instead. */
  released(probe: boolean): void {
    if (probe) this.probing = false;
  }

  /** Failed attempts within the window, for the health view. */
  recentFailures(now: number): number {
    let count = 0;
    for (const at of this.failures) if (now - at <= this.settings.windowMs) count++;
    return count;
  }

  private open(now: number): void {
    this.openedAt = now;
    this.probing = false;
  }
}
