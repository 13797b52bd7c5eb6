import {
  type APIError,
  AuthenticationError,
  ConflictError,
  InternalServerError,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
  QuotaExceededError,
  RateLimitError,
  UnexpectedStatusError,
} from './classes.js';
import type { LlmkitErrorFields } from './llmkit-error.js';

export interface UpstreamErrorBody {
  message?: string;
  type?: string;
  code?: string;
}

/** Reads `{ error: { message, type, code } }` (OpenAI and most compatibles) or `{ message }`. */
export function readErrorBody(body: unknown): UpstreamErrorBody {
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const inner = typeof record['error'] === 'object' && record['error'] !== null ? record['error'] : record;
  const fields = inner as Record<string, unknown>;
  const text = (value: unknown) =>
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  const result: UpstreamErrorBody = {};
  const message =
    text(fields['message']) ?? (typeof record['error'] === 'string' ? record['error'] : undefined);
  const type = text(fields['type']);
  const code = text(fields['code']);
  if (message !== undefined) result.message = message;
  if (type !== undefined) result.type = type;
  if (code !== undefined) result.code = code;
  return result;
}

export interface ErrorContext {
  provider?: string | undefined;
  model?: string | undefined;
  requestId?: string | undefined;
  retryAfterMs?: number | undefined;
  shouldRetry?: boolean | undefined;
}

/**
 * The one place that turns an upstream status and body into a typed error. Adapters call it;
 * the retry policy then reads `retryable` and the server's hints, never the status again.
 */
export function errorFromResponse(status: number, body: unknown, context: ErrorContext = {}): APIError {
  const parsed = readErrorBody(body);
  const upstreamCode = parsed.code ?? parsed.type;
  const fields: LlmkitErrorFields = {
    status,
    provider: context.provider,
    model: context.model,
    requestId: context.requestId,
    upstreamCode,
    retryAfterMs: context.retryAfterMs,
    shouldRetry: context.shouldRetry,
  };
  const where = context.provider
    ? `${context.provider}${context.model ? `/${context.model}` : ''}`
    : 'upstream';
  const wait =
    context.retryAfterMs === undefined ? '' : ` (server asked to retry after ${context.retryAfterMs} ms)`;
  const detail = `${where} returned ${status}${parsed.message ? `: ${oneLine(parsed.message)}` : ''}${wait}`;
  if (status === 429) {
    if (upstreamCode === 'insufficient_quota' || parsed.type === 'insufficient_quota') {
      return new QuotaExceededError(detail, fields);
    }
    return new RateLimitError(detail, fields);
  }
  // 402 Payment Required: DeepSeek and others say "Insufficient Balance" this way.
  if (status === 402) return new QuotaExceededError(detail, fields);
  if (status === 400 || status === 422) return new InvalidRequestError(detail, fields);
  if (status === 401) return new AuthenticationError(detail, fields);
  if (status === 403) return new PermissionDeniedError(detail, fields);
  if (status === 404) return new NotFoundError(detail, fields);
  if (status === 408) return new RequestTimeoutStatusError(detail, fields);
  if (status === 409) return new ConflictError(detail, fields);
  if (status >= 500) return new InternalServerError(detail, fields);
  return new UnexpectedStatusError(detail, fields);
}

/** 408 from the upstream: its own timeout, worth another try. */
export class RequestTimeoutStatusError extends InternalServerError {}

/** Upstream messages can be multi-line stack traces; errors stay one line. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
