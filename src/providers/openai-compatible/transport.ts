import { Agent, type Dispatcher, EnvHttpProxyAgent, request } from 'undici';
import { APIConnectionError, LlmkitError, type LlmkitErrorFields } from '../../errors/index.js';
import { abortReason } from '../../retry/sleep.js';

let sharedDispatcher: Dispatcher | undefined;

/**
 * One keep-alive pool per process. When the usual proxy variables are set we go through
 * undici's EnvHttpProxyAgent, which honours HTTP_PROXY, HTTPS_PROXY and NO_PROXY as curl does.
 */
export function defaultDispatcher(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Dispatcher {
  if (sharedDispatcher) return sharedDispatcher;
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env[name]);
  const options = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 4096 };
  sharedDispatcher = proxied ? new EnvHttpProxyAgent(options) : new Agent(options);
  return sharedDispatcher;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
  dispatcher?: Dispatcher | undefined;
}

export type HttpResponse = Dispatcher.ResponseData;

// undici error codes that mean "no response arrived": safe to treat as connection failures.
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

export async function send(http: HttpRequest, fields: LlmkitErrorFields): Promise<HttpResponse> {
  try {
    return await request(http.url, {
      method: http.method,
      headers: http.headers,
      body: http.body ?? null,
      signal: http.signal ?? null,
      dispatcher: http.dispatcher ?? defaultDispatcher(),
      // Our own first-token / idle / total timers decide; undici's would throw untyped errors.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  } catch (error) {
    throw transportError(error, http.signal, fields);
  }
}

/** Maps a failure of the socket or of the abort signal to our typed errors. */
export function transportError(
  error: unknown,
  signal: AbortSignal | undefined,
  fields: LlmkitErrorFields,
): LlmkitError {
  if (signal?.aborted) return abortReason(signal);
  if (LlmkitError.isInstance(error)) return error;
  const code = errorCode(error);
  const reason = code ?? (error instanceof Error ? error.message : String(error));
  const where = fields.provider ?? 'upstream';
  const verb = code && connectionCodes.has(code) ? 'could not reach' : 'request failed to';
  return new APIConnectionError(`${verb} ${where}: ${reason}`, { ...fields, cause: error });
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Reads a header value from undici's header record (arrays for repeated headers). */
export function headerOf(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
