import type { CallSink } from '../pipeline/steps/settle.js';
import type { Metrics } from './metrics.js';

/** Settle sink: every finished call in the client's Prometheus metrics. */
export function metricsSink(metrics: Metrics): CallSink {
  return (record) => {
    const provider = record.provider ?? 'none';
    const model = record.model ?? 'none';
    const code = record.error?.code ?? (record.status === 'error' ? 'unknown' : '');
    metrics.calls.inc({ provider, model, status: record.status, error: code, cache: record.cache ?? 'none' });
    if (record.status !== 'ok') metrics.errors.inc({ code: code || record.status });
    if (record.refused) return;
    metrics.callDuration.observe({ provider, model, mode: record.mode }, record.latencyMs / 1000);
    if (record.ttftMs !== undefined)
      metrics.timeToFirstToken.observe({ provider, model }, record.ttftMs / 1000);
    if (record.usage) {
      metrics.tokens.inc({ provider, model, direction: 'input' }, record.usage.inputTokens);
      metrics.tokens.inc({ provider, model, direction: 'output' }, record.usage.outputTokens);
    }
    if (record.costNanos) metrics.cost.inc({ provider, model }, record.costNanos / 1e9);
  };
}
