import type { Dispatcher } from 'undici';
import { maskSecret } from '../../config/secrets.js';
import { InvalidResponseError, LlmkitError, type LlmkitErrorFields } from '../../errors/index.js';
import type { LanguageModelV1 } from '../language-model.js';
import type { ModelInfo, Provider } from '../provider.js';
import { responsePartStream } from '../response-parts.js';
import type { ModelCallOptions, ModelRequest, ModelResponse, StreamPart } from '../types.js';
import { ChunkDecoder } from './chunk-decoder.js';
import { type HttpDebugEvent, maskHeaders, maskURL } from './http-debug.js';
import { partStream } from './part-stream.js';
import { parseCompletion, readJson, readText, statusError } from './read-response.js';
import { requestBody } from './request-body.js';
import { headerOf, send } from './transport.js';

export type { HttpDebugEvent } from './http-debug.js';

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
  // A per-model base URL (`.../deployments/{model}`) lists models one level up (`.../models`).
  const url = (modelId: string, path: string) =>
    `${modelId === '' ? base.replace(/\/[^/]*\/\{model\}.*$/, '') : base.replaceAll('{model}', encodeURIComponent(modelId))}${path}${query ? `?${query}` : ''}`;

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
      url: maskURL(http.url),
      headers: maskHeaders(http.headers),
      bodyBytes: http.body?.length ?? 0,
    });
    const response = await send(http, fields);
    debug?.({
      phase: 'response',
      method: http.method,
      url: maskURL(http.url),
      status: response.statusCode,
      headers: maskHeaders(response.headers),
      latencyMs: Date.now() - startedAt,
    });
    const requestId = requestIdHeaders.map((name) => headerOf(response.headers, name)).find(Boolean);
    if (response.statusCode >= 400) {
      throw await statusError(response, { ...fields, requestId }, options.signal);
    }
    return { response, requestId, fields: { ...fields, requestId } };
  }

  function languageModel(modelId: string): LanguageModelV1 {
    return {
      specificationVersion: 'v1',
      provider: settings.name,
      modelId,
      generate: (request, options) => guarded(() => generate(modelId, request, options)),
      stream: (request, options) => guarded(() => stream(modelId, request, options)),
    };
  }

  async function generate(
    modelId: string,
    request: ModelRequest,
    options: ModelCallOptions,
  ): Promise<ModelResponse> {
    const body = requestBody(modelId, request, false);
    const { response, requestId, fields } = await call(modelId, '/chat/completions', body, options);
    return parseCompletion(await readJson(response, fields, options.signal), requestId, fields);
  }

  async function stream(
    modelId: string,
    request: ModelRequest,
    options: ModelCallOptions,
  ): Promise<ReadableStream<StreamPart>> {
    const body = requestBody(modelId, request, true);
    const { response, requestId, fields } = await call(
      modelId,
      '/chat/completions',
      body,
      options,
      'text/event-stream',
    );
    const type = headerOf(response.headers, 'content-type') ?? '';
    if (/json/i.test(type)) {
      // A server (or proxy) that ignored `stream: true` and answered with one completion.
      return responsePartStream(
        parseCompletion(await readJson(response, fields, options.signal), requestId, fields),
      );
    }
    if (type !== '' && !/event-stream/i.test(type)) {
      const text = await readText(response, fields, options.signal);
      throw new InvalidResponseError(
        `${settings.name} answered a stream request with ${type}, not text/event-stream: ${text.replace(/\s+/g, ' ').slice(0, 80)}`,
        { ...fields, status: response.statusCode },
      );
    }
    const decoder = new ChunkDecoder({ provider: settings.name, model: modelId, requestId });
    return partStream(response, decoder, settings.maxLineBytes, fields, options.signal, redact);
  }

  /** Errors leave the adapter with the key masked, whatever the upstream echoed back. */
  function redact<T>(error: T): T {
    const secret = settings.apiKey;
    if (!secret || secret.length < 4 || !LlmkitError.isInstance(error) || !error.message.includes(secret))
      return error;
    for (const field of ['message', 'detail'] as const) {
      Object.defineProperty(error, field, { value: error[field].replaceAll(secret, maskSecret(secret)) });
    }
    return error;
  }

  async function guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw redact(error);
    }
  }

  async function listModels(options: ModelCallOptions): Promise<ModelInfo[]> {
    const { response, fields } = await call('', '/models', undefined, options);
    const json = (await readJson(response, fields, options.signal)) as { data?: unknown };
    if (!Array.isArray(json.data))
      throw new InvalidResponseError(`${settings.name} /models has no data list`, fields);
    return json.data
      .filter((entry): entry is { id: string; owned_by?: string } => typeof entry?.id === 'string')
      .map((entry) => (entry.owned_by ? { id: entry.id, ownedBy: entry.owned_by } : { id: entry.id }));
  }

  return {
    name: settings.name,
    languageModel,
    listModels: (options: ModelCallOptions = {}) => guarded(() => listModels(options)),
  };
}
