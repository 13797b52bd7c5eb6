import type { ThresholdCrossing } from '../budget/budgets.js';
import type { ThresholdEvent } from './alert-event.js';

/** The alert for a budget threshold the spend just crossed. */
export function thresholdEvent(crossing: ThresholdCrossing, now: Date = new Date()): ThresholdEvent {
  const { budget: active, state } = crossing;
  const { budget } = active;
  return {
    kind: 'threshold',
    budget: {
      name: active.name,
      scope: budget.scope,
      period: budget.period,
      periodStart: new Date(active.window.start).toISOString(),
      ...(budget.limitUsd === undefined ? {} : { limitUsd: budget.limitUsd }),
      ...(budget.limitTokens === undefined ? {} : { limitTokens: budget.limitTokens }),
      mode: budget.mode,
    },
    threshold: crossing.threshold,
    spentUsd: state.spentNanos / 1e9,
    spentTokens: state.spentTokens,
    percent: crossing.percent,
    at: now.toISOString(),
  };
}
