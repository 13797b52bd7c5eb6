import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { LlmkitConfig } from '../config/config-schema.js';
import { TimeoutError } from '../errors/index.js';
import { logAttempt } from '../logging/call-log.js';
import type { CallContext, CallRecord, CallTarget } from '../pipeline/call-context.js';
import { type NamedStep, runPipeline } from '../pipeline/pipeline.js';
import type { StreamPart } from '../providers/types.js';
import { buildRequest, type CallOptions, type Prompt } from './call-options.js';

export interface ContextServices {
  settings: LlmkitConfig;
  logger: Logger;
  planTarget: CallContext['planTarget'];
  resolveTarget: (modelName: string | undefined) => CallTarget;
}

/**
 * The context of one call: its request, deadline and signals. `done` clears the total timer and
 * the caller's abort listener; the owner calls it once the call ended.
 */
export function newCallContext(
  services: ContextServices,
  mode: 'generate' | 'stream',
  prompt: Prompt,
  options: CallOptions,
) {
  const { settings } = services;
  const timeouts = { ...settings.timeouts, ...options.timeouts };
  const abortController = new AbortController();
  const total = setTimeout(
    () => abortController.abort(new TimeoutError('total', timeouts.totalMs)),
    timeouts.totalMs,
  );
  const onCallerAbort = () => abortController.abort(options.signal?.reason);
  if (options.signal?.aborted) onCallerAbort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const startedAt = Date.now();
  const context: CallContext = {
    requestId: `llm_${randomUUID().replaceAll('-', '')}`,
    mode,
    modelName: options.model,
    request: buildRequest(prompt, options),
    retry: {
      ...settings.retry,
      ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    },
    timeouts,
    signal: abortController.signal,
    deadline: startedAt + timeouts.totalMs,
    startedAt,
    headers: options.headers ?? {},
    logger: services.logger,
    metadata: {
      user: options.user,
      project: options.project,
      tags: options.tags ?? [],
      gatewayKey: options.key?.name,
    },
    keyPolicy: options.key,
    cacheRequest: options.cache,
    planTarget: services.planTarget,
    resolveTarget: services.resolveTarget,
    attempts: [],
    onAttempt: (record) => {
      context.attempts.push(record);
      logAttempt(record, context);
    },
  };
  const done = () => {
    clearTimeout(total);
    options.signal?.removeEventListener('abort', onCallerAbort);
  };
  return { context, done, abortController };
}

/** One call as servers built on llmkit need it: the raw parts, the live context, and its record. */
export interface OpenCall {
  /** Live: `cacheStatus`, `target`, `attempts` and `attemptStartedAt` change as the call runs. */
  readonly context: Readonly<CallContext>;
  /** Every part, `response-metadata` included; rejects when the call fails before its first part. */
  readonly parts: Promise<ReadableStream<StreamPart>>;
  /** Resolves once the call is settled (ledger, budgets, metrics), however it ended. */
  readonly record: Promise<CallRecord>;
  abort(reason?: unknown): void;
}

export function openCall(steps: readonly NamedStep[], call: ReturnType<typeof newCallContext>): OpenCall {
  const { context, done, abortController } = call;
  const record = new Promise<CallRecord>((resolve) => {
    context.onEnd = (settled) => {
      done();
      resolve(settled);
    };
  });
  const parts = runPipeline(steps, context);
  parts.catch(() => {});
  return { context, parts, record, abort: (reason) => abortController.abort(reason) };
}

/**
 * Runs `error` through the settle step alone, so a request refused before it became a call
 * (malformed JSON, a body failing the schema, an unknown model) is logged, counted and recorded
 * in the ledger like every call, without anything reserved or sent.
 */
export async function recordRefusal(
  settle: NamedStep,
  call: ReturnType<typeof newCallContext>,
  error: unknown,
): Promise<CallRecord> {
  const { context, done } = call;
  context.refused = true;
  const record = new Promise<CallRecord>((resolve) => {
    context.onEnd = (settled) => resolve(settled);
  });
  try {
    await runPipeline([settle, { name: 'refuse', run: () => Promise.reject(error) }], context);
  } catch {
    // The refusal itself: expected.
  } finally {
    done();
  }
  return record;
}
