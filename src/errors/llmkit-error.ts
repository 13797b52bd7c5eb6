const marker = 'llmkit.error';
const brand = Symbol.for(marker);

/** Process exit codes shared by every surface (CLI, batch, scripts). Documented in docs/errors.md. */
export const exitCodes = {
  ok: 0,
  other: 1,
  usage: 2,
  provider: 3,
  refused: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

export interface LlmkitErrorFields {
  /** HTTP status from the upstream, when there was one. */
  status?: number | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  /** The upstream's request id (`x-request-id` and friends), for support tickets. */
  requestId?: string | undefined;
  /** The upstream's own error code or type, e.g. `insufficient_quota`. */
  upstreamCode?: string | undefined;
  /** How long the server asked us to wait, from `retry-after-ms` / `retry-after`. */
  retryAfterMs?: number | undefined;
  /** The server's explicit `x-should-retry` verdict, when it sent one. */
  shouldRetry?: boolean | undefined;
  cause?: unknown;
}

/**
 * Root of every error llmkit throws. `instanceof` is unreliable when two copies of the
 * package are loaded (a dependency bundling its own), so the brand is a global symbol and
 * `LlmkitError.isInstance` checks it.
 */
export class LlmkitError extends Error {
  protected readonly [brand] = true;
  /** Stable, machine-readable name of the cause (`rate_limit`, `authentication`...). */
  readonly code: string = 'llmkit_error';
  /** One line telling the human what to check. Also appended to `message`. */
  readonly hint: string;
  readonly exitCode: ExitCode = exitCodes.other;
  /** Whether the same request may succeed if sent again. Adapters classify; the core decides. */
  readonly retryable: boolean = false;
  readonly status: number | undefined;
  readonly provider: string | undefined;
  readonly model: string | undefined;
  readonly requestId: string | undefined;
  readonly upstreamCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly shouldRetry: boolean | undefined;
  /** llmkit's id of the call that failed, matching its log lines and ledger row (`requestId` is the upstream's). */
  callId: string | undefined;
  /** The problem alone, without the hint. */
  readonly detail: string;

  constructor(detail: string, hint: string, fields: LlmkitErrorFields = {}) {
    super(
      hint ? `${detail} (${hint})` : detail,
      fields.cause === undefined ? undefined : { cause: fields.cause },
    );
    this.name = new.target.name;
    this.detail = detail;
    this.hint = hint;
    this.status = fields.status;
    this.provider = fields.provider;
    this.model = fields.model;
    this.requestId = fields.requestId;
    this.upstreamCode = fields.upstreamCode;
    this.retryAfterMs = fields.retryAfterMs;
    this.shouldRetry = fields.shouldRetry;
  }

  static isInstance(error: unknown): error is LlmkitError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[brand] === true;
  }

  /** A JSON-safe view for `--json` output and logs. Never includes headers or keys. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      hint: this.hint,
      retryable: this.retryable,
      status: this.status,
      provider: this.provider,
      model: this.model,
      requestId: this.requestId,
      callId: this.callId,
      upstreamCode: this.upstreamCode,
      retryAfterMs: this.retryAfterMs,
    };
  }
}
