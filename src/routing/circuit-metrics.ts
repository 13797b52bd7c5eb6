import { Gauge, type Registry } from 'prom-client';
import type { CircuitState } from './circuit-breaker.js';

const stateValue: Readonly<Record<CircuitState, number>> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * `llmkit_circuit_state{route,target}`: 0 closed, 1 half-open, 2 open. Read from the breakers
 * at scrape time, so calls never touch the gauge.
 */
export function registerCircuitGauge(
  registry: Registry,
  rows: () => ReadonlyArray<{ route: string; target: string; state: CircuitState }>,
): Gauge<'route' | 'target'> {
  return new Gauge({
    name: 'llmkit_circuit_state',
    help: 'Circuit breaker state of each route target: 0 closed, 1 half-open (one probe call allowed), 2 open (skipped)',
    labelNames: ['route', 'target'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const row of rows()) this.set({ route: row.route, target: row.target }, stateValue[row.state]);
    },
  });
}
