import type { CallRecord } from '../pipeline/call-context.js';

/** The brief's `total_tokens`, grown up: counters over the client's lifetime. */
export class RunningTotals {
  calls = 0;
  succeeded = 0;
  failed = 0;
  aborted = 0;
  attempts = 0;
  inputTokens = 0;
  outputTokens = 0;
  totalTokens = 0;
  /** Integer nano-dollars over the calls whose price is known. */
  costNanos = 0;
  unpricedCalls = 0;

  add(record: CallRecord): void {
    this.calls++;
    if (record.status === 'ok') this.succeeded++;
    else if (record.status === 'aborted') this.aborted++;
    else this.failed++;
    this.attempts += record.attempts.length;
    this.inputTokens += record.usage?.inputTokens ?? 0;
    this.outputTokens += record.usage?.outputTokens ?? 0;
    this.totalTokens += record.usage?.totalTokens ?? 0;
    if (record.costNanos === null) this.unpricedCalls++;
    else this.costNanos += record.costNanos;
  }

  snapshot() {
    const { calls, succeeded, failed, aborted, attempts, inputTokens, outputTokens, totalTokens, costNanos } =
      this;
    return {
      calls,
      succeeded,
      failed,
      aborted,
      attempts,
      inputTokens,
      outputTokens,
      totalTokens,
      costNanos,
      cost: costNanos / 1e9,
      unpricedCalls: this.unpricedCalls,
    };
  }
}
