/** The original brief's troubleshooting table, extended; `llmkit doctor` prints the rows that apply. */
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
};
