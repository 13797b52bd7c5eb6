import type { AttemptRow, CallRow } from './ledger-store.js';

/*
 * The row shapes both backends store, column by column, so the mapping between the API's
 * camelCase rows and the tables is written once. Absent optional fields are NULL; tags are kept
 * as a JSON array (in the caller's order) next to the call_tags table used for grouping.
 */

export interface CallColumns {
  request_id: string;
  started_at: number;
  provider: string;
  model: string;
  gateway_key: string | null;
  project: string | null;
  user_name: string | null;
  tags: string;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  reasoning_tokens: number;
  cost_nanos: number | null;
  latency_ms: number;
  ttft_ms: number | null;
  status: CallRow['status'];
  error_class: string | null;
  streamed: boolean;
  cache: 'hit' | 'miss' | null;
  usage_source: CallRow['usageSource'];
  attempts: number;
}

export interface AttemptColumns {
  request_id: string;
  attempt: number;
  started_at: number;
  provider: string;
  model: string;
  status: AttemptRow['status'];
  http_status: number | null;
  error_class: string | null;
  latency_ms: number;
  ttft_ms: number | null;
  upstream_request_id: string | null;
}

export const callColumnNames = [
  'request_id',
  'started_at',
  'provider',
  'model',
  'gateway_key',
  'project',
  'user_name',
  'tags',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'reasoning_tokens',
  'cost_nanos',
  'latency_ms',
  'ttft_ms',
  'status',
  'error_class',
  'streamed',
  'cache',
  'usage_source',
  'attempts',
] as const satisfies readonly (keyof CallColumns)[];

export const attemptColumnNames = [
  'request_id',
  'attempt',
  'started_at',
  'provider',
  'model',
  'status',
  'http_status',
  'error_class',
  'latency_ms',
  'ttft_ms',
  'upstream_request_id',
] as const satisfies readonly (keyof AttemptColumns)[];

export function callToColumns(call: CallRow): CallColumns {
  return {
    request_id: call.requestId,
    started_at: call.startedAt,
    provider: call.provider,
    model: call.model,
    gateway_key: call.gatewayKey ?? null,
    project: call.project ?? null,
    user_name: call.user ?? null,
    tags: JSON.stringify(call.tags),
    input_tokens: call.inputTokens,
    output_tokens: call.outputTokens,
    cached_input_tokens: call.cachedInputTokens,
    reasoning_tokens: call.reasoningTokens,
    cost_nanos: call.costNanos,
    latency_ms: call.latencyMs,
    ttft_ms: call.ttftMs ?? null,
    status: call.status,
    error_class: call.errorClass ?? null,
    streamed: call.streamed,
    cache: call.cache ?? null,
    usage_source: call.usageSource,
    attempts: call.attempts,
  };
}

export function attemptToColumns(attempt: AttemptRow): AttemptColumns {
  return {
    request_id: attempt.requestId,
    attempt: attempt.attempt,
    started_at: attempt.startedAt,
    provider: attempt.provider,
    model: attempt.model,
    status: attempt.status,
    http_status: attempt.httpStatus ?? null,
    error_class: attempt.errorClass ?? null,
    latency_ms: attempt.latencyMs,
    ttft_ms: attempt.ttftMs ?? null,
    upstream_request_id: attempt.upstreamRequestId ?? null,
  };
}

export function callFromColumns(columns: CallColumns): CallRow {
  const call: CallRow = {
    requestId: columns.request_id,
    startedAt: columns.started_at,
    provider: columns.provider,
    model: columns.model,
    tags: JSON.parse(columns.tags) as string[],
    inputTokens: columns.input_tokens,
    outputTokens: columns.output_tokens,
    cachedInputTokens: columns.cached_input_tokens,
    reasoningTokens: columns.reasoning_tokens,
    costNanos: columns.cost_nanos,
    latencyMs: columns.latency_ms,
    status: columns.status,
    streamed: columns.streamed,
    usageSource: columns.usage_source,
    attempts: columns.attempts,
  };
  if (columns.gateway_key !== null) call.gatewayKey = columns.gateway_key;
  if (columns.project !== null) call.project = columns.project;
  if (columns.user_name !== null) call.user = columns.user_name;
  if (columns.ttft_ms !== null) call.ttftMs = columns.ttft_ms;
  if (columns.error_class !== null) call.errorClass = columns.error_class;
  if (columns.cache !== null) call.cache = columns.cache;
  return call;
}

export function attemptFromColumns(columns: AttemptColumns): AttemptRow {
  const attempt: AttemptRow = {
    requestId: columns.request_id,
    attempt: columns.attempt,
    startedAt: columns.started_at,
    provider: columns.provider,
    model: columns.model,
    status: columns.status,
    latencyMs: columns.latency_ms,
  };
  if (columns.http_status !== null) attempt.httpStatus = columns.http_status;
  if (columns.error_class !== null) attempt.errorClass = columns.error_class;
  if (columns.ttft_ms !== null) attempt.ttftMs = columns.ttft_ms;
  if (columns.upstream_request_id !== null) attempt.upstreamRequestId = columns.upstream_request_id;
  return attempt;
}

/** Attempts keyed by their call, in the order given. */
export function attemptsByCall(attempts: readonly AttemptRow[]): Map<string, AttemptRow[]> {
  const byCall = new Map<string, AttemptRow[]>();
  for (const attempt of attempts) {
    const list = byCall.get(attempt.requestId);
    if (list) list.push(attempt);
    else byCall.set(attempt.requestId, [attempt]);
  }
  return byCall;
}
