import { Counter, Histogram, Registry } from 'prom-client';

// Calls take from milliseconds (a cache hit) to minutes (a long stream).
const callBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The client's Prometheus metrics, in a registry of its own so two clients in one process never
 * collide. The gateway serves `registry` at `/metrics`; a library user can merge it into theirs.
 * Each metric is fed by the one step that owns its subject.
 */
export class Metrics {
  readonly registry = new Registry();

  /** Every guard rule that fired, by what it did: `block`, `redact` or `mask-logs`. */
  readonly guardDecisions = new Counter({
    name: 'llmkit_guard_decisions_total',
    help: 'Guard rules that matched, by rule, matcher (detector, term, regex, limit), action and direction',
    labelNames: ['rule', 'matcher', 'action', 'direction'] as const,
    registers: [this.registry],
  });

  /** Finished calls (settle step): `status` ok, error or aborted; `error` is the error code. */
  readonly calls = new Counter({
    name: 'llmkit_calls_total',
    help: 'Finished calls by provider, model, status (ok, error, aborted), error code and cache result',
    labelNames: ['provider', 'model', 'status', 'error', 'cache'] as const,
    registers: [this.registry],
  });

  readonly callDuration = new Histogram({
    name: 'llmkit_call_duration_seconds',
    help: 'Whole-call latency, retries and fallbacks included',
    labelNames: ['provider', 'model', 'mode'] as const,
    buckets: callBuckets,
    registers: [this.registry],
  });

  readonly timeToFirstToken = new Histogram({
    name: 'llmkit_time_to_first_token_seconds',
    help: 'From the call starting to its first content delta (streams)',
    labelNames: ['provider', 'model'] as const,
    buckets: callBuckets,
    registers: [this.registry],
  });

  readonly tokens = new Counter({
    name: 'llmkit_tokens_total',
    help: 'Tokens billed, by provider, model and direction (input, output)',
    labelNames: ['provider', 'model', 'direction'] as const,
    registers: [this.registry],
  });

  readonly cost = new Counter({
    name: 'llmkit_cost_usd_total',
    help: 'Spend in USD of calls whose price is known',
    labelNames: ['provider', 'model'] as const,
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'llmkit_errors_total',
    help: 'Failed calls by error class (the llmkit error code: rate_limit, server_error, timeout, budget_exceeded...)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  /** Cache step: every lookup, `hit` or `miss`. */
  readonly cacheLookups = new Counter({
    name: 'llmkit_cache_lookups_total',
    help: 'Response cache lookups by result (hit, miss)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  /** Rate limit step: calls refused, by the limit (`key:<name>/rpm`...). */
  readonly rateLimited = new Counter({
    name: 'llmkit_rate_limited_total',
    help: 'Calls refused by an llmkit rate limit, by limit',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });
}
