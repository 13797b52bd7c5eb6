export { type RetryDecision, type RetryOptions, type RetryState, retryDecision } from './retry-policy.js';
export { parseRetryAfterMs, readServerHints, type ServerHints } from './server-hints.js';
export { abortReason, sleep } from './sleep.js';
