import { AbortedError, LlmkitError } from '../../errors/index.js';
import type { StreamPart } from '../../providers/types.js';
import type { CallContext, CallRecord } from '../call-context.js';
import type { NamedStep } from '../pipeline.js';
import { ResultAccumulator } from '../result-accumulator.js';

export type CallSink = (record: CallRecord, context: CallContext) => void;

/**
 * The outermost step: it sees the call end, however it ends (success, error, or the caller
 * leaving the loop), builds one `CallRecord` and hands it to every sink: logs, running totals,
 * and later the ledger, budgets, metrics and alerts.
 */
export function settleStep(sinks: readonly CallSink[]): NamedStep {
  return {
    name: 'settle',
    async run(context, next) {
      const accumulator = new ResultAccumulator();
      let settled = false;
      const settle = (outcome: unknown) => {
        if (settled) return;
        settled = true;
        const record = callRecord(context, accumulator, outcome);
        if (record.result) context.result = record.result;
        for (const sink of sinks) {
          try {
            sink(record, context);
          } catch (error) {
            // A failing sink (a full disk under the log file) must never fail the call.
            context.logger.error({ err: error }, 'a settle sink failed');
          }
        }
        context.onEnd?.(record, outcome);
      };
      let stream: ReadableStream<StreamPart>;
      try {
        stream = await next();
      } catch (error) {
        settle(error);
        throw error;
      }
      const reader = stream.getReader();
      return new ReadableStream<StreamPart>(
        {
          async pull(controller) {
            let next: Awaited<ReturnType<typeof reader.read>>;
            try {
              next = await reader.read();
            } catch (error) {
              settle(error);
              controller.error(error);
              return;
            }
            if (next.done) {
              settle(undefined);
              controller.close();
              return;
            }
            accumulator.add(next.value);
            controller.enqueue(next.value);
          },
          async cancel(reason) {
            settle(new AbortedError({ cause: reason }));
            await reader.cancel(reason);
          },
        },
        { highWaterMark: 0 },
      );
    },
  };
}

function callRecord(context: CallContext, accumulator: ResultAccumulator, outcome: unknown): CallRecord {
  const latencyMs = Date.now() - context.startedAt;
  const firstToken = context.attempts.find(
    (attempt) => attempt.ttftMs !== undefined && attempt.status === 'ok',
  );
  const ttftMs = firstToken ? firstToken.startedAt - context.startedAt + (firstToken.ttftMs ?? 0) : undefined;
  const error = outcome === undefined ? undefined : LlmkitError.isInstance(outcome) ? outcome : undefined;
  const status = outcome === undefined ? 'ok' : error?.code === 'aborted' ? 'aborted' : 'error';
  const target = context.target;
  const record: CallRecord = {
    requestId: context.requestId,
    mode: context.mode,
    provider: target?.provider,
    model: target?.model,
    status,
    error,
    result: undefined,
    attempts: context.attempts,
    startedAt: context.startedAt,
    latencyMs,
    ttftMs,
    usage: accumulator.usage,
  };
  if (status === 'ok' && target) {
    record.result = accumulator.result({
      model: `${target.provider}/${target.model}`,
      provider: target.provider,
      latencyMs,
      ttftMs,
      attempts: context.attempts.length,
      requestId: context.requestId,
    });
  }
  return record;
}
