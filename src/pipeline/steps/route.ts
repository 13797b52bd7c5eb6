import { LlmkitError, NoHealthyTargetError } from '../../errors/index.js';
import type { StreamPart } from '../../providers/types.js';
import { type RetryOptions, retryDecision } from '../../retry/retry-policy.js';
import type { CompiledRoute } from '../../routing/compile-routes.js';
import type { Candidate } from '../../routing/route-selection.js';
import type { Router } from '../../routing/router.js';
import type { CallContext } from '../call-context.js';
import type { NamedStep, Next } from '../pipeline.js';
import { isContentPart } from '../result-accumulator.js';

/*
 * Whether another target may take over is the retry policy's own classification (5xx, 429,
 * connection, stream cut, first-token timeout; never after output reached the caller), without
 * its attempt count and waits: a server's long retry-after is a reason to go elsewhere.
 */
const fallbackPolicy: RetryOptions = {
  maxRetries: Number.POSITIVE_INFINITY,
  baseDelayMs: 0,
  maxDelayMs: 0,
  maxRetryAfterMs: Number.POSITIVE_INFINITY,
};

/**
 * Picks the provider and model of the call. A plain `provider/model` or alias goes straight
 * through. A route's targets are tried in the order its selection gives (primary by weight,
 * then the others, then fallbacks), each with the retry step's own retries, moving on only
 * while nothing reached the caller and the error says another upstream might do better.
 */
export function routeStep(router: Router | undefined): NamedStep {
  return {
    name: 'route',
    run(context, next) {
      const route = router?.route(context.modelName);
      if (router === undefined || route === undefined) {
        context.target = context.resolveTarget(context.modelName);
        return next();
      }
      return routed(router, route, context, next);
    },
  };
}

interface Current {
  candidate: Candidate;
  /** Index in `context.attempts` of this target's first attempt. */
  from: number;
  reader: ReadableStreamDefaultReader<StreamPart>;
  reported: boolean;
}

async function routed(
  router: Router,
  route: CompiledRoute,
  context: CallContext,
  next: Next,
): Promise<ReadableStream<StreamPart>> {
  const selection = router.select(route);
  const retry = context.retry;
  const cap = route.maxRetriesPerTarget ?? retry.maxRetries;
  let previous: Candidate | undefined;
  let lastError: unknown;
  let delivered = false;

  const fallsBack = (error: unknown) =>
    !context.signal.aborted &&
    retryDecision(error, fallbackPolicy, { attempts: 1, deliveredOutput: delivered }).retry;

  const report = (current: Current) => {
    if (current.reported) return;
    current.reported = true;
    router.report(current.candidate.target, current.candidate.probe, context.attempts, current.from);
  };

  const start = async (): Promise<Current> => {
    for (;;) {
      const now = Date.now();
      // The first pick honours the target pre-flight planned (and the budget reserved for).
      const candidate = selection.next(now, previous ? undefined : context.preflight);
      if (!candidate) throw previous ? lastError : noHealthyTarget(route, now);
      if (previous) logFallback(context, route, previous, candidate, lastError);
      previous = candidate;
      const from = context.attempts.length;
      // A probe is one attempt: its verdict decides the breaker, retries would only delay it.
      const maxRetries = candidate.probe ? 0 : Math.min(cap, retry.maxRetries);
      context.retry = maxRetries === retry.maxRetries ? retry : { ...retry, maxRetries };
      try {
        context.target = router.callTarget(candidate.target.upstream);
        const stream = await next();
        return { candidate, from, reader: stream.getReader(), reported: false };
      } catch (error) {
        router.report(candidate.target, candidate.probe, context.attempts, from);
        if (!fallsBack(error)) throw error;
        lastError = error;
      }
    }
  };

  let current = await start();
  return new ReadableStream<StreamPart>(
    {
      async pull(controller) {
        for (;;) {
          let read: Awaited<ReturnType<typeof current.reader.read>>;
          try {
            read = await current.reader.read();
          } catch (error) {
            report(current);
            if (!fallsBack(error)) {
              controller.error(error);
              return;
            }
            lastError = error;
            try {
              current = await start();
            } catch (failure) {
              controller.error(failure);
              return;
            }
            continue;
          }
          if (read.done) {
            report(current);
            controller.close();
            return;
          }
          if (!delivered && isContentPart(read.value)) delivered = true;
          controller.enqueue(read.value);
          return;
        }
      },
      async cancel(reason) {
        await current.reader.cancel(reason).catch(() => {});
        report(current);
      },
    },
    { highWaterMark: 0 },
  );
}

function logFallback(
  context: CallContext,
  route: CompiledRoute,
  from: Candidate,
  to: Candidate,
  error: unknown,
): void {
  const code = LlmkitError.isInstance(error) ? error.code : 'error';
  context.logger.info(
    {
      event: 'fallback',
      requestId: context.requestId,
      route: route.name,
      from: from.target.id,
      to: to.target.id,
      error: code,
    },
    `route "${route.name}": ${from.target.id} failed (${code}); trying ${to.target.id}`,
  );
}

function noHealthyTarget(route: CompiledRoute, now: number): NoHealthyTargetError {
  const ids: string[] = [];
  let probeAt = Number.POSITIVE_INFINITY;
  for (const group of route.groups) {
    for (const target of group.targets) {
      ids.push(target.id);
      probeAt = Math.min(probeAt, target.upstream.breaker.reopensAt() ?? now);
    }
  }
  const waitMs = Math.max(0, probeAt - now);
  return new NoHealthyTargetError(
    `route "${route.name}": every target's circuit breaker is open (${ids.join(', ')}); the first lets a probe through in ${waitMs} ms`,
    { model: route.name, retryAfterMs: waitMs },
  );
}
