import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import type { Budgets } from '../budget/budgets.js';
import type { Metrics } from './metrics.js';

/**
 * `llmkit_budget_used_ratio{budget,scope,period}`: spend over limit this period (the tighter of
 * USD and tokens) of each configured budget and of each key budget calls have carried, read from
 * the store when Prometheus scrapes. Without any budget it stays empty and opens nothing.
 */
export function registerBudgetGauge(metrics: Metrics, budgets: Budgets, logger: Logger): void {
  new Gauge({
    name: 'llmkit_budget_used_ratio',
    help: "Spend of each budget (configured, or a gateway key's) this period over its limit (1 = exhausted)",
    labelNames: ['budget', 'scope', 'period'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      try {
        for (const row of await budgets.status()) {
          if (row.percent !== null)
            this.set({ budget: row.name, scope: row.scope, period: row.period }, row.percent / 100);
        }
      } catch (error) {
        // An unreachable store leaves the gauge empty for this scrape; the rest of /metrics still answers.
        logger.warn({ err: error }, 'budget status for /metrics failed');
      }
    },
  });
}
