import type { AttemptRow, CallRow } from './ledger-store.js';

/*
 * Rows come from inside llmkit, so this is not input validation: it stops a programming error
 * (a fractional cost, an attempt without its call) at the door. Such a row would otherwise be
 * stored as a float, breaking exact sums, or fail its batch on every retry.
 */

function wholeNumber(value: number | undefined, name: string, requestId: string): void {
  if (value !== undefined && !Number.isSafeInteger(value)) {
    throw new RangeError(`ledger row ${requestId}: ${name} must be a whole number, got ${value}`);
  }
}

function checkCall(call: CallRow): void {
  const id = call.requestId;
  if (typeof id !== 'string' || id === '')
    throw new RangeError('ledger row: requestId must be a non-empty string');
  wholeNumber(call.startedAt, 'startedAt', id);
  wholeNumber(call.inputTokens, 'inputTokens', id);
  wholeNumber(call.outputTokens, 'outputTokens', id);
  wholeNumber(call.cachedInputTokens, 'cachedInputTokens', id);
  wholeNumber(call.reasoningTokens, 'reasoningTokens', id);
  wholeNumber(call.costNanos ?? undefined, 'costNanos', id);
  wholeNumber(call.latencyMs, 'latencyMs', id);
  wholeNumber(call.ttftMs, 'ttftMs', id);
  wholeNumber(call.attempts, 'attempts', id);
}

function checkAttemptFields(attempt: AttemptRow): void {
  const id = attempt.requestId;
  wholeNumber(attempt.attempt, 'attempt', id);
  wholeNumber(attempt.startedAt, 'startedAt', id);
  wholeNumber(attempt.httpStatus, 'httpStatus', id);
  wholeNumber(attempt.latencyMs, 'latencyMs', id);
  wholeNumber(attempt.ttftMs, 'ttftMs', id);
}

function orphan(attempt: AttemptRow): RangeError {
  return new RangeError(`ledger attempt row ${attempt.requestId}: its call row is not in the batch`);
}

/** Throws a RangeError naming the first bad row, before anything is written. */
export function checkBatch(batch: { calls: readonly CallRow[]; attempts: readonly AttemptRow[] }): void {
  const requestIds = new Set<string>();
  for (const call of batch.calls) {
    checkCall(call);
    requestIds.add(call.requestId);
  }
  for (const attempt of batch.attempts) {
    if (!requestIds.has(attempt.requestId)) throw orphan(attempt);
    checkAttemptFields(attempt);
  }
}

/** checkBatch for one call and its attempts, without building a batch: it runs on every record. */
export function checkRecord(call: CallRow, attempts: readonly AttemptRow[]): void {
  checkCall(call);
  for (const attempt of attempts) {
    if (attempt.requestId !== call.requestId) throw orphan(attempt);
    checkAttemptFields(attempt);
  }
}
