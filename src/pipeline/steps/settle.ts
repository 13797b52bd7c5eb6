import { AbortedError, LlmkitError } from '../../errors/index.js';
import type { StreamPart, Usage } from '../../providers/types.js';
import type { CallContext, CallRecord, UsageSource } from '../call-context.js';
import type { NamedStep } from '../pipeline.js';
import { ResultAccumulator } from '../result-accumulator.js';

/**
 * Receives every finished call. A sink that returns a promise holds the call until it resolves:
 * the ledger does that only in `sync` durability (or when its queue is full), so a call returns
 * after its row is committed; every other sink returns at once.
 */
export type CallSink = (record: CallRecord, context: CallContext) => void | Promise<void>;

export interface SettleServices {
  /** Nano-dollars for the usage; null when the model has no known price. */
  cost(provider: string, model: string, usage: Usage): number | null;
  /** Tokens in `text`, counted locally for a provider that reported none. */
  countText(text: string, provider: string, model: string): number;
}

/**
 * The outermost step: it sees the call end, however it ends (success, error, or the caller
 * leaving the loop), settles what it used and cost, builds one `CallRecord` and hands it to
 * every sink: logs, running totals, the ledger, and later budgets, metrics and alerts.
 */
export function settleStep(sinks: readonly CallSink[], services: SettleServices): NamedStep {
  return {
    name: 'settle',
    async run(context, next) {
      const accumulator = new ResultAccumulator();
      let settled = false;
      const settle = async (outcome: unknown) => {
        if (settled) return;
        settled = true;
        const record = callRecord(context, accumulator, outcome, services);
        if (LlmkitError.isInstance(outcome)) outcome.callId ??= context.requestId;
        if (record.result) context.result = record.result;
        const waits: Promise<void>[] = [];
        for (const sink of sinks) {
          try {
            const wait = sink(record, context);
            if (wait) waits.push(wait);
          } catch (error) {
            // A failing sink (a full disk under the log file) must never fail the call.
            context.logger.error({ err: error }, 'a settle sink failed');
          }
        }
        if (waits.length > 0) {
          for (const outcome of await Promise.allSettled(waits)) {
            if (outcome.status === 'rejected')
              context.logger.error({ err: outcome.reason }, 'a settle sink failed');
          }
        }
        context.onEnd?.(record, outcome);
      };
      let stream: ReadableStream<StreamPart>;
      try {
        stream = await next();
      } catch (error) {
        await settle(error);
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
              await settle(error);
              controller.error(error);
              return;
            }
            if (next.done) {
              await settle(undefined);
              controller.close();
              return;
            }
            accumulator.add(next.value);
            controller.enqueue(next.value);
          },
          async cancel(reason) {
            // Cancel inward first, so the retry step records the attempt it cuts short.
            await reader.cancel(reason).catch(() => {});
            // Leaving the loop after the finish event loses only the trailing usage chunk:
            // the answer is whole, so the call succeeded (its usage is then estimated).
            await settle(accumulator.allFinished() ? undefined : new AbortedError({ cause: reason }));
          },
        },
        { highWaterMark: 0 },
      );
    },
  };
}

/**
 * Usage as billed: the provider's report when there is one. Otherwise, if anything was
 * produced (a stream cut short, a provider that never reports usage), a local count of
 * the input and of what was actually received, marked estimated. A call that failed before
 * any output cost nothing we can know of.
 */
function settleUsage(
  context: CallContext,
  accumulator: ResultAccumulator,
  ok: boolean,
  services: SettleServices,
): { usage: Usage | undefined; usageSource: UsageSource } {
  if (accumulator.usage) return { usage: accumulator.usage, usageSource: 'provider' };
  const target = context.target;
  if (!target || (!ok && !accumulator.receivedContent)) return { usage: undefined, usageSource: 'none' };
  const inputTokens = context.preflight?.inputTokens ?? 0;
  const outputTokens = services.countText(accumulator.receivedText(), target.provider, target.model);
  return {
    usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    usageSource: 'estimated',
  };
}

function callRecord(
  context: CallContext,
  accumulator: ResultAccumulator,
  outcome: unknown,
  services: SettleServices,
): CallRecord {
  const latencyMs = Date.now() - context.startedAt;
  const firstToken = context.attempts.find(
    (attempt) => attempt.ttftMs !== undefined && attempt.status === 'ok',
  );
  const ttftMs = firstToken ? firstToken.startedAt - context.startedAt + (firstToken.ttftMs ?? 0) : undefined;
  const error = outcome === undefined ? undefined : LlmkitError.isInstance(outcome) ? outcome : undefined;
  const status = outcome === undefined ? 'ok' : error?.code === 'aborted' ? 'aborted' : 'error';
  const target = context.target;
  const { usage, usageSource } = settleUsage(context, accumulator, status === 'ok', services);
  let costNanos = target && usage ? services.cost(target.provider, target.model, usage) : usage ? null : 0;
  // A cache hit sent nothing, so it cost nothing; its usage is the stored answer's, for reference.
  if (context.cacheStatus === 'hit') costNanos = 0;
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
    usage,
    usageSource,
    costNanos,
    metadata: context.metadata,
  };
  if (context.cacheStatus) record.cache = context.cacheStatus;
  if (context.refused) {
    record.refused = true;
    record.requestedModel = context.modelName;
  }
  if (status === 'ok' && target) {
    record.result = accumulator.result({
      model: `${target.provider}/${target.model}`,
      provider: target.provider,
      latencyMs,
      ttftMs,
      attempts: context.attempts.length,
      requestId: context.requestId,
      usage,
      usageSource,
      costNanos,
      cost: costNanos === null ? null : costNanos / 1e9,
      ...(context.cacheStatus ? { cache: context.cacheStatus } : {}),
    });
  }
  return record;
}
