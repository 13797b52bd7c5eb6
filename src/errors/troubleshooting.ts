/**
 * The original brief's troubleshooting table, extended, keyed by error `code` (plus
 * `missing_key`); `llmkit doctor` prints the rows that apply. The gateway rows say the HTTP
 * status a client of `llmkit serve` sees.
 */
export interface TroubleshootingRow {
  error: string;
  cause: string;
  fix: string;
}

export const troubleshooting: Readonly<Record<string, TroubleshootingRow>> = {
  rate_limit: {
    error: 'RateLimitError',
    cause: 'too many requests or tokens per minute',
    fix: 'retried with exponential backoff automatically; lower concurrency or raise the limit',
  },
  quota_exceeded: {
    error: 'QuotaExceededError',
    cause: 'the account is out of credit',
    fix: 'add billing or use another key; retrying does not help',
  },
  connection: {
    error: 'APIConnectionError',
    cause: 'network problem: DNS, proxy, firewall, or the server is down',
    fix: 'check proxy settings (HTTPS_PROXY, NO_PROXY) and raise timeouts',
  },
  timeout: {
    error: 'TimeoutError',
    cause: 'the upstream is slow or a proxy buffers the stream',
    fix: 'raise timeouts.* or check the network; the error says which timeout fired',
  },
  invalid_request: {
    error: 'InvalidRequestError',
    cause: 'malformed input',
    fix: 'check the messages structure and parameters',
  },
  authentication: {
    error: 'AuthenticationError',
    cause: 'missing or invalid key',
    fix: 'check the .env file is loaded and the key is right: `llmkit config check`',
  },
  not_found: {
    error: 'NotFoundError',
    cause: 'wrong model name or base URL',
    fix: 'check the model id against `llmkit doctor` and the base URL',
  },
  missing_key: {
    error: 'ConfigError',
    cause: 'no key in the environment, .env or apiKeyFile',
    fix: 'set the variable named in the message, then `llmkit config check`',
  },
  rate_limited: {
    error: 'RateLimitedError',
    cause:
      "llmkit's own limit: a gateway key's rpm/tpm or a rateLimits rule has no room this minute; nothing was sent (gateway: 429 with Retry-After)",
    fix: "send it again after Retry-After (client.batch waits on its own), or raise the key's --rpm/--tpm or the rule under rateLimits.rules",
  },
  no_healthy_target: {
    error: 'NoHealthyTargetError',
    cause:
      'every target of the route failed recently and its circuit breaker is open (gateway: 503 with Retry-After)',
    fix: "client.targets() or GET /admin/targets shows each target's last error; fix that upstream, add a fallback, or wait for the probe",
  },
  budget_exceeded: {
    error: 'BudgetExceededError',
    cause:
      "a hard budget (or a key's --budget) has no room for the call's worst case; nothing was sent (gateway: 429 with x-should-retry: false)",
    fix: '`llmkit budget status`; wait for the period to reset, lower max_tokens, raise the limit, or onExceed: clamp',
  },
  invalid_api_key: {
    error: 'InvalidApiKeyError',
    cause:
      'the gateway got no key, or an unknown, mistyped or revoked one; or /admin/* without the master key (gateway: 401)',
    fix: 'send "Authorization: Bearer <key>" with a key from `llmkit keys create`; `llmkit keys list` shows whether it was revoked',
  },
  model_not_found: {
    error: 'ModelNotFoundError',
    cause:
      "the gateway cannot serve that model: unknown provider, alias or route, a provider without its key, or not in the provider's models (gateway: 400)",
    fix: 'GET /v1/models lists what the gateway serves; `llmkit config check` shows providers, aliases and keys',
  },
  request_too_large: {
    error: 'RequestTooLargeError',
    cause: 'the request body is over gateway.bodyLimitBytes (gateway: 413, and the connection is closed)',
    fix: 'send fewer or shorter messages, or raise gateway.bodyLimitBytes',
  },
};
