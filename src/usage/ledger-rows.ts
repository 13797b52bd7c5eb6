import type { AttemptRow, CallRow } from '../ledger/index.js';
import type { CallRecord } from '../pipeline/call-context.js';

/** The ledger's view of a finished call: one call row, one row per attempt. */
export function ledgerRows(record: CallRecord): { call: CallRow; attempts: AttemptRow[] } {
  const usage = record.usage;
  const last = record.attempts.at(-1);
  const call: CallRow = {
    requestId: record.requestId,
    startedAt: record.startedAt,
    provider: record.provider ?? last?.provider ?? 'unknown',
    model: record.model ?? last?.model ?? record.requestedModel ?? 'unknown',
    gatewayKey: record.metadata.gatewayKey,
    project: record.metadata.project,
    tags: record.metadata.tags,
    user: record.metadata.user,
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cachedInputTokens: usage?.cachedInputTokens ?? 0,
    reasoningTokens: usage?.reasoningTokens ?? 0,
    costNanos: record.costNanos,
    latencyMs: record.latencyMs,
    ttftMs: record.ttftMs,
    status: record.status,
    errorClass: record.error?.name,
    streamed: record.mode === 'stream',
    cache: record.cache,
    usageSource: record.usageSource,
    attempts: record.attempts.length,
  };
  const attempts = record.attempts.map((attempt) => {
    const row: AttemptRow = {
      requestId: record.requestId,
      attempt: attempt.attempt,
      startedAt: attempt.startedAt,
      provider: attempt.provider,
      model: attempt.model,
      status: attempt.status,
      latencyMs: attempt.latencyMs,
    };
    if (attempt.httpStatus !== undefined) row.httpStatus = attempt.httpStatus;
    if (attempt.error) row.errorClass = attempt.error.name;
    if (attempt.ttftMs !== undefined) row.ttftMs = attempt.ttftMs;
    if (attempt.requestId !== undefined) row.upstreamRequestId = attempt.requestId;
    return row;
  });
  return { call, attempts };
}
