import type { CallSink } from '../pipeline/steps/settle.js';
import type { Budgets, ThresholdCrossing } from './budgets.js';

/** What the budget settle needs of the alerting side: announce a crossing, never fail. */
export type AnnounceCrossing = (crossing: ThresholdCrossing) => void;

/**
 * Settles each reservation to the call's actual cost (zero for a call that spent nothing,
 * releasing all of it), then announces the alert thresholds the spend crossed. Runs after the
 * call returned: the caller never waits for it; `LLMClient.close` waits for what is pending.
 */
export function budgetSink(
  budgets: Budgets,
  announce: AnnounceCrossing,
  pending: Set<Promise<void>>,
): CallSink {
  return (record, context) => {
    const reserved = context.budget;
    if (!reserved) return;
    const settling = (async () => {
      const states = await budgets.store.settle(record.requestId, {
        nanos: record.costNanos ?? 0,
        // A cache hit used no tokens upstream: its usage is the stored answer's, for reference.
        tokens: record.cache === 'hit' ? 0 : (record.usage?.totalTokens ?? 0),
      });
      for (const crossing of await budgets.crossings(reserved.active, states)) announce(crossing);
    })()
      .catch((error: unknown) => {
        // The reservation stays until its TTL releases it; the spend is in the ledger regardless.
        context.logger.error({ err: error, requestId: record.requestId }, 'budget settle failed');
      })
      .finally(() => pending.delete(settling));
    pending.add(settling);
  };
}
