import type { Logger } from 'pino';
import type { AlertDispatcher } from '../alerts/create-alert-dispatcher.js';
import { scheduleDailySummary } from '../alerts/daily-summary.js';
import { thresholdEvent } from '../alerts/threshold-event.js';
import { budgetSink } from '../budget/budget-sink.js';
import type { Budgets, ThresholdCrossing } from '../budget/budgets.js';
import type { LlmkitConfig } from '../config/config-schema.js';
import { callLog } from '../logging/call-log.js';
import { registerBudgetGauge } from '../metrics/budget-gauge.js';
import type { Metrics } from '../metrics/metrics.js';
import { metricsSink } from '../metrics/metrics-sink.js';
import type { CallRecord } from '../pipeline/call-context.js';
import type { CallSink } from '../pipeline/steps/settle.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import type { UsageLedger } from '../usage/usage-ledger.js';
import type { RunningTotals } from './running-totals.js';

export interface SinkServices {
  settings: LlmkitConfig;
  logger: Logger;
  metrics: Metrics;
  ledger: UsageLedger | undefined;
  budgets: Budgets;
  alerts: AlertDispatcher;
  rateLimiter: RateLimiter;
  pendingSettles: Set<Promise<void>>;
  runningTotals: RunningTotals;
  onCall: ((record: CallRecord) => void) | undefined;
}

/**
 * Everything the settle step hands a finished call to, in order: the call log, running totals,
 * metrics, the ledger, budgets (and their threshold alerts), the rate limiter's token correction,
 * and the caller's own `onCall`. Also starts the daily summary when configured.
 */
export function settleSinks(services: SinkServices): { sinks: CallSink[]; stopDailySummary?: () => void } {
  const { settings, logger, metrics, ledger, budgets, alerts } = services;
  const sinks: CallSink[] = [
    callLog({ content: settings.log.content }),
    (record) => services.runningTotals.add(record),
    metricsSink(metrics),
  ];
  if (ledger) sinks.push(ledger.sink);
  const announce = (crossing: ThresholdCrossing) => {
    const event = thresholdEvent(crossing);
    // Every crossing is logged, whatever channels are configured, so none goes unseen.
    logger.warn(
      {
        event: 'alert',
        budget: crossing.budget.name,
        threshold: crossing.threshold,
        percent: crossing.percent,
        spentUsd: event.spentUsd,
      },
      `budget "${crossing.budget.name}" passed ${crossing.threshold}% of its limit (${crossing.percent.toFixed(1)}%)`,
    );
    alerts.dispatch(event, crossing.budget.budget.channels);
  };
  sinks.push(budgetSink(budgets, announce, services.pendingSettles));
  registerBudgetGauge(metrics, budgets, logger);
  // Corrects token-per-minute estimates to what each call used.
  sinks.push(services.rateLimiter.sink);
  if (services.onCall) sinks.push(services.onCall);
  const summary = settings.alerts.dailySummary;
  if (!summary?.enabled || !ledger) return { sinks };
  const stopDailySummary = scheduleDailySummary({
    at: summary.at,
    timeZone: settings.budgetSettings.timeZone,
    summarize: (since, until) =>
      ledger.summary({ since: new Date(since), until: new Date(until), groupBy: 'model' }),
    send: (event) => alerts.dispatch(event, summary.channels),
    onError: (error) => logger.error({ err: error }, 'daily spend summary failed'),
  });
  return { sinks, stopDailySummary };
}
