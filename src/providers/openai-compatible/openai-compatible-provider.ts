import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { maskSecret } from '../../config/secrets.js';
import {
  errorFromResponse,
  InvalidResponseError,
  LlmkitError,
  type LlmkitErrorFields,
  StreamInterruptedError,
} from '../../errors/index.js';
import { readServerHints } from '../../retry/server-hints.js';
import { abortReason } from '../../retry/sleep.js';
import { createSseParser } from '../../streams/sse-parser.js';
import type { LanguageModelV1 } from '../language-model.js';
import type { ModelInfo, Provider } from '../provider.js';
import type { ModelCallOptions, ModelRequest, ModelResponse, StreamPart } from '../types.js';
import { ChunkDecoder } from './chunk-decoder.js';
import { mapCompletion } from './map-response.js';
import { requestBody } from './request-body.js';
import { type HttpResponse, headerOf, send, transportError } from './transport.js';
import { completionSchema } from './wire-schema.js';

export interface OpenAICompatibleSettings {
  /** Provider name used in errors, logs and the ledger. */
  name: string;
  /** e.g. `https://api.deepseek.com/v1`; may hold `{model}` (Azure deployment URLs). */
  baseURL: string;
  apiKey?: string | undefined;
  /** `authorization` sends `Bearer <key>`; `api-key` sends the key alone (Azure). */
  authHeader?: 'authorization' | 'api-key';
  headers?: Record<string, string>;
  query?: Record<string, string>;
  maxLineBytes?: number;
  dispatcher?: Dispatcher;
  /** `LLMKIT_DEBUG=http`: request and response metadata, secrets already masked. */
  onHttp?: (event: HttpDebugEvent) => void;
}

export interface HttpDebugEvent {
  phase: 'request' | 'response';
  method: string;
  url: string;
  headers: Record<string, string>;
  status?: number;
  bodyBytes?: number;
  latencyMs?: number;
}

const userAgent = `llmkit/0.1.0 node/${process.versions.node}`;
// Headers upstreams use for their request id, most common first.
const requestIdHeaders = [
  'x-request-id',
  'request-id',
  'x-dashscope-request-id',
  'apim-request-id',
  'x-trace-id',
];

export function createOpenAICompatibleProvider(settings: OpenAICompatibleSettings): Provider {
  const base = settings.baseURL.replace(/\/+$/, '');
  const query = new URLSearchParams(settings.query ?? {}).toString();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': userAgent,
    ...settings.headers,
  };
  if (settings.apiKey) {
    if (settings.authHeader === 'api-key') headers['api-key'] = settings.apiKey;
    else headers['authorization'] = `Bearer ${settings.apiKey}`;
  }
  // An upstream may echo the key back in an error message; it never leaves this adapter.
  const scrub = (text: string) =>
    settings.apiKey && settings.apiKey.length >= 4
      ? text.replaceAll(settings.apiKey, maskSecret(settings.apiKey))
      : text;
  const url = (modelId: string, path: string) =>
    `${base.replaceAll('{model}', encodeURIComponent(modelId))}${path}${query ? `?${query}` : ''}`;

  async function call(
    modelId: string,
    path: string,
    body: unknown,
    options: ModelCallOptions,
    accept?: string,
  ) {
    const fields: LlmkitErrorFields = { provider: settings.name, model: modelId };
    const http = {
      method: body === undefined ? ('GET' as const) : ('POST' as const),
      url: url(modelId, path),
      headers: { ...headers, ...(accept ? { accept } : {}), ...options.headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: options.signal,
      dispatcher: settings.dispatcher,
    };
    const startedAt = Date.now();
    const debug = settings.onHttp;
    debug?.({
      phase: 'request',
      method: http.method,
      url: http.url,
      headers: maskHeaders(http.headers),
      bodyBytes: http.body?.length ?? 0,
    });
    const response = await send(http, fields);
    debug?.({
      phase: 'response',
      method: http.method,
      url: http.url,
      status: response.statusCode,
      headers: maskHeaders(response.headers),
      latencyMs: Date.now() - startedAt,
    });
    const requestId = requestIdHeaders.map((name) => headerOf(response.headers, name)).find(Boolean);
    if (response.statusCode >= 400) {
      throw await statusError(response, { ...fields, requestId }, options.signal, scrub);
    }
    return { response, requestId, fields: { ...fields, requestId } };
  }

  function languageModel(modelId: string): LanguageModelV1 {
    return {
      specificationVersion: 'v1',
      provider: settings.name,
      modelId,
      async generate(request: ModelRequest, options: ModelCallOptions): Promise<ModelResponse> {
        const { response, requestId, fields } = await call(
          modelId,
          '/chat/completions',
          requestBody(modelId, request, false),
          options,
        );
        const json = await readJson(response, fields, options.signal);
        if (typeof json === 'object' && json !== null && 'error' in json && !('choices' in json)) {
          throw errorFromResponse(500, json, fields); // 200 with an error body: some gateways do this.
        }
        const parsed = completionSchema.safeParse(json);
        if (!parsed.success) {
          throw new InvalidResponseError(
            `${settings.name} answered 200 without chat.completion fields: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
            fields,
          );
        }
        return mapCompletion(parsed.data, requestId);
      },
      async stream(request: ModelRequest, options: ModelCallOptions): Promise<ReadableStream<StreamPart>> {
        const { response, requestId, fields } = await call(
          modelId,
          '/chat/completions',
          requestBody(modelId, request, true),
          options,
          'text/event-stream',
        );
        const decoder = new ChunkDecoder({ provider: settings.name, model: modelId, requestId });
        return partStream(response, decoder, settings.maxLineBytes, fields, options.signal);
      },
    };
  }

  return {
    name: settings.name,
    languageModel,
    async listModels(options: ModelCallOptions = {}): Promise<ModelInfo[]> {
      const { response, fields } = await call('', '/models', undefined, options);
      const json = (await readJson(response, fields, options.signal)) as { data?: unknown };
      if (!Array.isArray(json.data))
        throw new InvalidResponseError(`${settings.name} /models has no data list`, fields);
      return json.data
        .filter((entry): entry is { id: string; owned_by?: string } => typeof entry?.id === 'string')
        .map((entry) => (entry.owned_by ? { id: entry.id, ownedBy: entry.owned_by } : { id: entry.id }));
    },
  };
}

async function readText(
  response: HttpResponse,
  fields: LlmkitErrorFields,
  signal?: AbortSignal,
): Promise<string> {
  try {
    return await response.body.text();
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw new StreamInterruptedError('connection lost while reading the response body', {
      ...fields,
      cause: error,
    });
  }
}

async function readJson(
  response: HttpResponse,
  fields: LlmkitErrorFields,
  signal?: AbortSignal,
): Promise<unknown> {
  const text = await readText(response, fields, signal);
  try {
    return JSON.parse(text);
  } catch {
    const type = headerOf(response.headers, 'content-type') ?? 'no content-type';
    throw new InvalidResponseError(
      `${fields.provider} returned a non-JSON body (${type}): ${text.replace(/\s+/g, ' ').slice(0, 80)}`,
      { ...fields, status: response.statusCode },
    );
  }
}

async function statusError(
  response: HttpResponse,
  fields: LlmkitErrorFields,
  signal: AbortSignal | undefined,
  scrub: (text: string) => string,
) {
  const text = scrub(await readText(response, fields, signal).catch(() => ''));
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: { message: text.slice(0, 200) } };
  }
  const hints = readServerHints((name) => headerOf(response.headers, name));
  return errorFromResponse(response.statusCode, body, { ...fields, ...hints });
}

function partStream(
  response: HttpResponse,
  decoder: ChunkDecoder,
  maxLineBytes: number | undefined,
  fields: LlmkitErrorFields,
  signal: AbortSignal | undefined,
): ReadableStream<StreamPart> {
  const events = (Readable.toWeb(response.body) as ReadableStream<Uint8Array>).pipeThrough(
    createSseParser(maxLineBytes === undefined ? {} : { maxLineBytes }),
  );
  const reader = events.getReader();
  const fail = (error: unknown): LlmkitError => {
    if (signal?.aborted) return abortReason(signal);
    if (LlmkitError.isInstance(error)) return error;
    const reason = transportError(error, undefined, fields);
    return new StreamInterruptedError(`connection lost mid-stream: ${reason.detail}`, {
      ...fields,
      cause: error,
    });
  };
  return new ReadableStream<StreamPart>(
    {
      async pull(controller) {
        for (;;) {
          let next: Awaited<ReturnType<typeof reader.read>>;
          try {
            next = await reader.read();
          } catch (error) {
            controller.error(fail(error));
            return;
          }
          if (next.done) {
            // No [DONE] but every choice finished: some servers (older Ollama) end this way.
            if (decoder.done || decoder.finished) controller.close();
            else
              controller.error(
                new StreamInterruptedError('stream ended before the upstream finished', fields),
              );
            return;
          }
          let parts: StreamPart[];
          try {
            parts = decoder.decode(next.value);
          } catch (error) {
            void reader.cancel().catch(() => {});
            controller.error(fail(error));
            return;
          }
          for (const part of parts) controller.enqueue(part);
          if (decoder.done) {
            controller.close();
            drain(reader);
            return;
          }
          if (parts.length > 0) return;
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Reads what follows `[DONE]` so the socket returns to the keep-alive pool, but never for long. */
function drain(reader: ReadableStreamDefaultReader<unknown>): void {
  const timer = setTimeout(() => void reader.cancel().catch(() => {}), 2_000);
  timer.unref();
  void (async () => {
    try {
      for (;;) if ((await reader.read()).done) break;
    } catch {
      // The stream already delivered everything the caller needs.
    } finally {
      clearTimeout(timer);
    }
  })();
}

const secretHeaders = new Set([
  'authorization',
  'api-key',
  'x-api-key',
  'proxy-authorization',
  'cookie',
  'set-cookie',
]);

function maskHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    masked[name] = secretHeaders.has(name.toLowerCase()) ? maskSecret(text.replace(/^Bearer /i, '')) : text;
  }
  return masked;
}
