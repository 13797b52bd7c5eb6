import { exitCodes, LlmkitError, type LlmkitErrorFields } from './llmkit-error.js';

// Hints follow the original brief's troubleshooting table, one line each.
const hints = {
  config:
    'fix the named file or key; `llmkit config check` shows the effective config and where each value came from',
  usage: 'run `llmkit --help` for the accepted arguments',
  invalidRequest: 'check the messages structure and parameters against the provider docs',
  authentication: 'check the key is loaded (env or .env) and valid; run `llmkit config check`',
  permission: 'the key is valid but may not use this model or endpoint; check its project and permissions',
  notFound: 'check the model name and base URL; `llmkit doctor` lists the models the provider offers',
  conflict: 'the upstream reported a conflict; it is usually transient and retried',
  rateLimit: 'wait and retry, lower concurrency, or raise the rate limit with the provider',
  quota: 'the account is out of credit or quota; add billing or switch keys, retrying will not help',
  server:
    'the provider had an internal error; it is retried, and persistent errors belong on its status page',
  connection: 'check proxy settings (HTTPS_PROXY), DNS and network, and that the base URL is reachable',
  timeout: 'raise the timeout or check the network and the provider status',
  streamInterrupted: 'the stream broke before it finished; check the network or proxy buffering and retry',
  response:
    'the upstream did not answer in the OpenAI format; check the base URL points at an API, not a web page',
  aborted: 'the call was cancelled by its AbortSignal',
} as const;

export class ConfigError extends LlmkitError {
  override readonly code = 'config';
  override readonly exitCode = exitCodes.usage;
  constructor(detail: string, fields: LlmkitErrorFields & { hint?: string } = {}) {
    super(detail, fields.hint ?? hints.config, fields);
  }
}

/** Bad CLI arguments or inputs (a prompt file that does not exist...). */
export class UsageError extends LlmkitError {
  override readonly code = 'usage';
  override readonly exitCode = exitCodes.usage;
  constructor(detail: string, fields: LlmkitErrorFields & { hint?: string } = {}) {
    super(detail, fields.hint ?? hints.usage, fields);
  }
}

/** Base of every error caused by talking to a provider. */
export class APIError extends LlmkitError {
  override readonly code: string = 'api_error';
  override readonly exitCode = exitCodes.provider;
}

export class InvalidRequestError extends APIError {
  override readonly code = 'invalid_request';
  constructor(detail: string, fields: LlmkitErrorFields & { hint?: string } = {}) {
    super(detail, fields.hint ?? hints.invalidRequest, fields);
  }
}

export class AuthenticationError extends APIError {
  override readonly code = 'authentication';
  constructor(detail: string, fields: LlmkitErrorFields = {}) {
    super(detail, hints.authentication, fields);
  }
}

export class PermissionDeniedError extends APIError {
  override readonly code = 'permission_denied';
  constructor(detail: string, fields: LlmkitErrorFields = {}) {
    super(detail, hints.permission, fields);
  }
}

export class NotFoundError extends APIError {
  override readonly code = 'not_found';
  constructor(detail: string, fields: LlmkitErrorFields = {}) {
    super(detail, hints.notFound, fields);
  }
}

export class ConflictError extends APIError {
  override readonly code = 'conflict';
  override readonly retryable = true;
  constructor(detail: string, fields: LlmkitErrorFields = {}) {
    super(detail, hints.conflict, fields);
  }
}

export class RateLimitError extends APIError {
  override readonly code = 'rate_limit';
  override readonly retryable = true;
  constructor(detail: string, fields: LlmkitErrorFields = {}) {
    super(detail, hints.rateLimit, fields);
  }
}

/** Out of credit: OpenAI's `insufficient_quota` 429, or a 402 (DeepSeek's "Insufficient Balance"). Retrying only burns time. */
export class QuotaExceededError extends APIError {
  override readonly code = 'quota_exceeded';
  constructor(detail: string, fields: LlmkitErrorFields = {}) {
    super(detail, hints.quota, fields);
  }
}

export class InternalServerError extends APIError {
  override readonly code = 'server_error';
  override readonly retryable = true;
  constructor(detail: string, fields: LlmkitErrorFields = {}) {
    super(detail, hints.server, fields);
  }
}

/** A 4xx we have no better class for (e.g. 413, 415). Not retried. */
export class UnexpectedStatusError extends APIError {
  override readonly code = 'unexpected_status';
  constructor(detail: string, fields: LlmkitErrorFields = {}) {
    super(detail, hints.invalidRequest, fields);
  }
}

/** DNS failure, connection refused or reset before a response arrived. */
export class APIConnectionError extends APIError {
  override readonly code = 'connection';
  override readonly retryable = true;
  constructor(detail: string, fields: LlmkitErrorFields = {}) {
    super(detail, hints.connection, fields);
  }
}

export type TimeoutKind = 'total' | 'first-token' | 'idle';

export class TimeoutError extends APIError {
  override readonly code = 'timeout';
  override readonly retryable: boolean;
  /** Which of the three timeouts fired. */
  readonly timeout: TimeoutKind;
  readonly timeoutMs: number;
  constructor(timeout: TimeoutKind, timeoutMs: number, fields: LlmkitErrorFields = {}) {
    super(`${timeout} timeout of ${timeoutMs} ms elapsed`, hints.timeout, fields);
    this.timeout = timeout;
    this.timeoutMs = timeoutMs;
    // The total timeout is the caller's deadline: retrying past it is never right.
    this.retryable = timeout !== 'total';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeout: this.timeout, timeoutMs: this.timeoutMs };
  }
}

/** The stream ended (EOF or reset) before the upstream said it was complete. */
export class StreamInterruptedError extends APIError {
  override readonly code = 'stream_interrupted';
  override readonly retryable = true;
  constructor(detail: string, fields: LlmkitErrorFields = {}) {
    super(detail, hints.streamInterrupted, fields);
  }
}

/** The upstream answered, but not with something we can read (HTML, broken JSON, wrong shape). */
export class InvalidResponseError extends APIError {
  override readonly code = 'invalid_response';
  constructor(detail: string, fields: LlmkitErrorFields = {}) {
    super(detail, hints.response, fields);
  }
}

/** The caller's AbortSignal fired. */
export class AbortedError extends LlmkitError {
  override readonly code = 'aborted';
  override readonly exitCode = exitCodes.interrupted;
  constructor(fields: LlmkitErrorFields = {}) {
    super('the call was aborted', hints.aborted, fields);
  }
}

export interface BudgetErrorFields extends LlmkitErrorFields {
  budget?: string | undefined;
  limitUsd?: number | undefined;
  spentUsd?: number | undefined;
  /** Epoch ms when the budget's period ends, if it does. */
  resetsAt?: number | undefined;
}

/** A hard budget has no room for the call's worst case. Nothing was sent and nothing was billed. */
export class BudgetExceededError extends LlmkitError {
  override readonly code = 'budget_exceeded';
  override readonly exitCode = exitCodes.refused;
  readonly budget: string | undefined;
  readonly limitUsd: number | undefined;
  readonly spentUsd: number | undefined;
  readonly resetsAt: number | undefined;
  constructor(detail: string, fields: BudgetErrorFields & { hint?: string } = {}) {
    super(
      detail,
      fields.hint ??
        'wait for the period to reset, raise the limit, lower max tokens, or set onExceed: clamp; `llmkit budget status` shows every budget',
      fields,
    );
    this.budget = fields.budget;
    this.limitUsd = fields.limitUsd;
    this.spentUsd = fields.spentUsd;
    this.resetsAt = fields.resetsAt;
  }

  /** The same refusal with another explanation (no price known, store unreachable...). */
  withDetail(detail: string): BudgetExceededError {
    return new BudgetExceededError(detail, {
      budget: this.budget,
      limitUsd: this.limitUsd,
      spentUsd: this.spentUsd,
      resetsAt: this.resetsAt,
    });
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      budget: this.budget,
      limitUsd: this.limitUsd,
      spentUsd: this.spentUsd,
      resetsAt: this.resetsAt === undefined ? undefined : new Date(this.resetsAt).toISOString(),
    };
  }
}

/**
 * Every target of a route (and of its fallbacks) has an open circuit breaker: the call fails at
 * once rather than wait on upstreams that just failed. `retryAfterMs` is when the first of them
 * lets a probe through.
 */
export class NoHealthyTargetError extends APIError {
  override readonly code = 'no_healthy_target';
  // Sent again after the cooldown, the call is let through as a probe.
  override readonly retryable = true;
  constructor(detail: string, fields: LlmkitErrorFields = {}) {
    super(
      detail,
      'its targets failed recently and are cooling down; GET /admin/targets (client.targets()) shows their last errors',
      { status: 503, ...fields },
    );
  }
}

export interface RateLimitedFields extends LlmkitErrorFields {
  /** The limit that refused: `key:team-a/rpm`, `global/tpm`... (as in the `llmkit_rate_limited_total` metric). */
  limit?: string | undefined;
}

/**
 * An llmkit rate limit (a key's rpm/tpm, or a `rateLimits` rule) has no room for the call now:
 * nothing was sent. `retryAfterMs` is when it would have room; undefined when the call alone is
 * over the limit and never will. Code `rate_limited`, not the upstream's `rate_limit`; status 429.
 */
export class RateLimitedError extends LlmkitError {
  override readonly code = 'rate_limited';
  override readonly exitCode = exitCodes.refused;
  /** The same call may pass once `retryAfterMs` has gone by (the retry step, inside, never sees it). */
  override readonly retryable: boolean;
  readonly limit: string | undefined;
  constructor(detail: string, fields: RateLimitedFields & { hint?: string } = {}) {
    super(
      detail,
      fields.hint ??
        'send it again after Retry-After, or raise the limit (the key\'s rpm/tpm, or "rateLimits.rules" in the config)',
      { ...fields, status: 429 },
    );
    this.limit = fields.limit;
    this.retryable = fields.retryAfterMs !== undefined;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), limit: this.limit };
  }
}
