import { AnswerRecorder, replayModel } from '../../cache/cache-entry.js';
import type { ResponseCache } from '../../cache/response-cache.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { ModelResponse, StreamPart } from '../../providers/types.js';
import type { CallContext } from '../call-context.js';
import type { NamedStep } from '../pipeline.js';

export interface CacheServices {
  cache: ResponseCache;
  metrics: Metrics;
}

/**
 * Answers exact repeats from the response cache (docs/cache.md). A hit sends nothing: the
 * stored answer is replayed as parts, to a streaming call as a stream, with `context.target`
 * naming the provider and model that gave it, so settle records it (at cost 0). A miss goes on
 * upstream and stores the answer once it is whole and finished well.
 */
export function cacheStep(services: CacheServices): NamedStep {
  const { cache, metrics } = services;
  return {
    name: 'cache',
    async run(context, next) {
      const ttlMs = cache.ttlMs(context);
      if (ttlMs === undefined) return next();
      const key = cache.key(context);
      const entry = await cache.lookup(key, context.logger);
      if (entry) {
        context.cacheStatus = 'hit';
        metrics.cacheLookups.inc({ result: 'hit' });
        const languageModel = replayModel(entry);
        context.target = { provider: entry.provider, model: entry.model, languageModel };
        return languageModel.stream(context.request, { signal: context.signal });
      }
      context.cacheStatus = 'miss';
      metrics.cacheLookups.inc({ result: 'miss' });
      return storeWhenWhole(await next(), context, (response) => {
        const target = context.target;
        if (!target) return Promise.resolve();
        const stored = { version: 1 as const, provider: target.provider, model: target.model };
        return cache.save(key, { ...stored, createdAt: Date.now(), response }, ttlMs, context.logger);
      });
    },
  };
}

/**
 * Passes the parts on unchanged, folding them as they go. Only a stream that ends on its own
 * with every choice finished is stored, before it closes (so the next identical call finds it);
 * an error or a caller who stops reading stores nothing.
 */
function storeWhenWhole(
  stream: ReadableStream<StreamPart>,
  context: CallContext,
  save: (response: ModelResponse) => Promise<void>,
): ReadableStream<StreamPart> {
  const reader = stream.getReader();
  const recorder = new AnswerRecorder();
  return new ReadableStream<StreamPart>(
    {
      async pull(controller) {
        const next = await reader.read();
        if (next.done) {
          const response = recorder.response(context.request.n ?? 1);
          if (response) await save(response);
          controller.close();
          return;
        }
        recorder.add(next.value);
        controller.enqueue(next.value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
