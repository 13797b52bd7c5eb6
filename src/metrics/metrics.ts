import { Counter, Registry } from 'prom-client';

/**
 * The client's Prometheus metrics, in a registry of its own so two clients in one process never
 * collide. The gateway serves `registry` at `/metrics`; a library user can merge it into theirs.
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
}
