import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyReply } from 'fastify';
import type { CallOptions, Prompt } from '../client/call-options.js';
import type { LLMClient } from '../client/llm-client.js';
import type { OpenCall } from '../client/open-call.js';
import { AbortedError } from '../errors/index.js';
import type { CacheRequest, CallContext } from '../pipeline/call-context.js';
import type { StreamPart } from '../providers/types.js';
import type { Authenticator, Caller } from './auth.js';
import { GatewayError, httpError } from './gateway-errors.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { GatewayModels } from './gateway-models.js';
import type { GatewaySettings } from './gateway-schema.js';
import { ChunkWriter } from './openai-response.js';

export interface CallServices {
  client: LLMClient;
  auth: Authenticator;
  models: GatewayModels;
  settings: GatewaySettings;
  metrics: GatewayMetrics;
  /** Calls in flight, so a shutdown can wait for them and cut them at its deadline. */
  inflight: Set<OpenCall>;
}

/** `x-llmkit-cache: on | off | <seconds>`: the caller's cache wish for this request. */
export function cacheHeader(value: string | string[] | undefined): CacheRequest | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (text === 'on' || text === 'true' || text === '1') return true;
  if (text === 'off' || text === 'false' || text === '0' || text === 'no-store') return false;
  const seconds = Number(text.replace(/^ttl=/, ''));
  if (Number.isInteger(seconds) && seconds > 0) return { ttlSeconds: seconds };
  throw new GatewayError(400, 'invalid_header', `x-llmkit-cache "${value}" is not understood`, {
    param: 'x-llmkit-cache',
    hint: 'send on, off, or a TTL in seconds such as 600',
  });
}

/** A model the caller may not use: unknown to the gateway, or outside its key's allowlist. */
export function checkModel(services: CallServices, caller: Caller, model: string): void {
  const problem = services.models.problem(model);
  if (problem) {
    throw new GatewayError(400, 'model_not_found', problem, {
      param: 'model',
      hint: 'GET /v1/models lists what this gateway serves',
    });
  }
  const allowed = caller.key?.models;
  if (allowed && !allowed.includes(model)) {
    throw new GatewayError(
      403,
      'model_not_allowed',
      `key "${caller.key?.name}" may not use model "${model}"`,
      {
        param: 'model',
        type: 'permission_error',
        hint: `this key may use: ${allowed.join(', ')}`,
      },
    );
  }
}

/** Time spent in the gateway so far, upstream waits and retry backoff excluded. */
function overheadMs(started: number, context: Readonly<CallContext>, inFlight: boolean): number {
  const wall = performance.now() - started;
  let upstream = context.upstreamMs ?? 0;
  for (const attempt of context.attempts) {
    if (context.mode === 'stream') upstream += attempt.latencyMs;
    upstream += attempt.retryInMs ?? 0;
  }
  if (inFlight && context.mode === 'stream' && context.attemptStartedAt !== undefined)
    upstream += Date.now() - context.attemptStartedAt;
  return Math.max(0, wall - upstream);
}

function callHeaders(
  services: CallServices,
  context: Readonly<CallContext>,
  started: number,
  inFlight: boolean,
): Record<string, string> {
  const overhead = overheadMs(started, context, inFlight);
  services.metrics.overhead.observe(overhead / 1000);
  const headers: Record<string, string> = {
    'x-llmkit-request-id': context.requestId,
    'x-llmkit-overhead-ms': overhead.toFixed(2),
  };
  if (context.cacheStatus) headers['x-llmkit-cache'] = context.cacheStatus;
  return headers;
}

/** What the response says answered: the route or model the client asked for, as OpenAI echoes it. */
function answeredModel(requested: string | undefined): string {
  return requested ?? 'llmkit';
}

/**
 * Runs one OpenAI-style call through the client's pipeline and writes it as JSON or SSE. Used by
 * `/v1/chat/completions` and `/generate`; `respond` shapes a non-streaming answer.
 */
export async function runCall(
  services: CallServices,
  reply: FastifyReply,
  started: number,
  call: { prompt: Prompt; options: CallOptions; stream: boolean },
  respond: (result: NonNullable<CallContext['result']>, context: Readonly<CallContext>) => unknown,
): Promise<void> {
  const { client, inflight, settings } = services;
  const open = client.open(call.stream ? 'stream' : 'generate', call.prompt, call.options);
  inflight.add(open);
  const raw = reply.raw;
  let finished = false;
  const onClose = () => {
    if (finished || raw.writableFinished) return;
    // The client left. Abort the upstream, or let it run to its usage event and bill that.
    if (!(call.stream && settings.onClientDisconnect === 'drain')) {
      open.abort(new AbortedError({ cause: 'the gateway client disconnected' }));
    }
  };
  raw.once('close', onClose);
  try {
    let reader: ReadableStreamDefaultReader<StreamPart>;
    let first: Awaited<ReturnType<ReadableStreamDefaultReader<StreamPart>['read']>>;
    try {
      reader = (await open.parts).getReader();
      first = await reader.read();
    } catch (error) {
      const failure = httpError(error);
      reply
        .code(failure.status)
        .headers({ ...failure.headers, ...callHeaders(services, open.context, started, false) });
      return void reply.send(failure.body);
    }
    if (!call.stream) {
      for (let next = first; !next.done; next = await reader.read()) {
        // The settle step folds the parts into the result.
      }
      const record = await open.record;
      if (!record.result) throw record.error ?? new Error('the call ended without a result');
      reply.headers(callHeaders(services, open.context, started, false));
      return void reply.send(respond(record.result, open.context));
    }
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      ...callHeaders(services, open.context, started, true),
    });
    await streamParts(raw, reader, first, open, call.options.model);
  } catch (error) {
    if (raw.headersSent) return;
    const failure = httpError(error);
    reply.code(failure.status).headers(failure.headers);
    return void reply.send(failure.body);
  } finally {
    finished = true;
    raw.off('close', onClose);
    // The record settles after the response; the shutdown waits for it through `inflight`.
    void open.record.finally(() => inflight.delete(open));
  }
}

async function streamParts(
  raw: ServerResponse,
  reader: ReadableStreamDefaultReader<StreamPart>,
  first: Awaited<ReturnType<ReadableStreamDefaultReader<StreamPart>['read']>>,
  open: OpenCall,
  model: string | undefined,
): Promise<void> {
  const writer = new ChunkWriter(`chatcmpl-${open.context.requestId}`, answeredModel(model));
  let next = first;
  try {
    for (; !next.done; next = await reader.read()) {
      if (raw.destroyed) continue; // draining: keep reading to the usage event, write nothing
      const event = writer.event(next.value);
      if (event && !raw.write(event)) await drained(raw, open.context.signal);
    }
    const record = await open.record;
    if (!raw.destroyed) raw.end(writer.end(record.usage));
  } catch (error) {
    // Never a stream that looks complete: an error event, and no [DONE].
    if (!raw.destroyed) raw.end(`data: ${JSON.stringify(httpError(error).body)}\n\n`);
  }
}

// The call's signal too: a client that stops reading but keeps its socket open must not hold the
// call past its timeouts or a shutdown's cut (nobody would read the aborted upstream to settle it).
function drained(raw: ServerResponse, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
