import { exitCodes, LlmkitError, type LlmkitErrorFields } from '../errors/index.js';

/** A request the gateway itself turned away: bad credentials, bad input, a model not allowed. */
export class GatewayError extends LlmkitError {
  override readonly code: string;
  override readonly exitCode = exitCodes.refused;
  /** The request field at fault (`messages[0].role`), OpenAI's `param`. */
  readonly param: string | undefined;
  readonly type: string;

  constructor(
    status: number,
    code: string,
    detail: string,
    options: { hint?: string; param?: string; type?: string } & LlmkitErrorFields = {},
  ) {
    super(detail, options.hint ?? '', { ...options, status });
    this.code = code;
    // `model_not_found` -> `ModelNotFoundError`: the ledger's error_class tells refusals apart.
    this.name = `${code.replace(/(^|_)([a-z])/g, (_match, _sep, letter: string) => letter.toUpperCase())}Error`;
    this.param = options.param;
    this.type = options.type ?? 'invalid_request_error';
  }
}

export interface HttpError {
  status: number;
  headers: Record<string, string>;
  body: { error: { message: string; type: string; param: string | null; code: string } };
}

interface Mapping {
  status: number;
  type: string;
  /** Tell OpenAI clients (which retry 429/5xx by default) not to: sending it again cannot help. */
  final?: boolean;
}

// llmkit error code -> what an OpenAI client should see.
const mappings: Record<string, Mapping> = {
  invalid_request: { status: 400, type: 'invalid_request_error' },
  usage: { status: 400, type: 'invalid_request_error' },
  schema: { status: 400, type: 'invalid_request_error' },
  guardrail: { status: 400, type: 'invalid_request_error', final: true },
  not_found: { status: 404, type: 'not_found_error' },
  conflict: { status: 409, type: 'api_error' },
  unexpected_status: { status: 502, type: 'api_error' },
  // The upstream refused the gateway's own provider key: the client's key is not at fault.
  authentication: { status: 502, type: 'api_error', final: true },
  permission_denied: { status: 502, type: 'api_error', final: true },
  rate_limit: { status: 429, type: 'rate_limit_error' },
  rate_limited: { status: 429, type: 'rate_limit_error' },
  quota_exceeded: { status: 429, type: 'insufficient_quota', final: true },
  budget_exceeded: { status: 429, type: 'insufficient_quota', final: true },
  server_error: { status: 502, type: 'api_error' },
  connection: { status: 502, type: 'api_error' },
  invalid_response: { status: 502, type: 'api_error' },
  stream_interrupted: { status: 502, type: 'api_error' },
  timeout: { status: 504, type: 'api_error' },
  structured_output: { status: 502, type: 'api_error' },
  config: { status: 500, type: 'server_error', final: true },
  no_healthy_target: { status: 503, type: 'api_error' },
  // A store llmkit needs (budgets, keys) is unreachable: the instance cannot serve now, another may.
  budget_store_unavailable: { status: 503, type: 'api_error' },
  key_store: { status: 503, type: 'api_error' },
  aborted: { status: 499, type: 'api_error', final: true },
};

/** Status, headers and OpenAI-shaped body for any error; internal details never leak. */
export function httpError(error: unknown): HttpError {
  const headers: Record<string, string> = {};
  if (!LlmkitError.isInstance(error)) {
    return {
      status: 500,
      headers,
      body: {
        error: {
          message: 'internal gateway error; the gateway log has the details',
          type: 'server_error',
          param: null,
          code: 'internal_error',
        },
      },
    };
  }
  const gateway = error instanceof GatewayError ? error : undefined;
  const mapping = gateway
    ? { status: error.status ?? 400, type: gateway.type }
    : (mappings[error.code] ?? {
        status: error.status && error.status >= 500 ? 502 : 500,
        type: 'api_error',
      });
  if (error.retryAfterMs !== undefined)
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  if ('final' in mapping && mapping.final) headers['x-should-retry'] = 'false';
  return {
    status: mapping.status,
    headers,
    body: {
      error: {
        message: error.message,
        type: mapping.type,
        param: gateway?.param ?? null,
        code: error.code,
      },
    },
  };
}
