import { type Dispatcher, EnvHttpProxyAgent, request } from 'undici';
import { oneLine } from '../errors/error-from-response.js';
import { LlmkitError } from '../errors/llmkit-error.js';
import { readServerHints } from '../retry/server-hints.js';
import { abortReason } from '../retry/sleep.js';
import { AlertDeliveryError } from './alert-delivery-error.js';
import { maskURL, scrubSecrets, urlSecrets } from './mask-url.js';

export interface AlertRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  dispatcher?: Dispatcher | undefined;
  /** How errors name the target; the masked URL by default. */
  label?: string;
  /** Strings that must never appear in an error: tokens, keys, the unmasked URL. */
  secrets?: readonly string[];
  /** The service's own reason from a failed response's JSON body, when it has one. */
  describeError?: (body: unknown) => string | undefined;
}

export interface AlertResponse {
  status: number;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
  text: string;
}

// Services answer alerts with a few hundred bytes; anything past this is not worth reading.
const maxBodyBytes = 64 * 1024;

/** undici failure codes that mean nothing was delivered and another try may get through. */
const transientCodes = /^(ECONN|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|UND_ERR)/;

/** HTTPS_PROXY and friends are honoured as curl honours them; no proxy means undici's global pool. */
export function proxyDispatcher(env: Readonly<Record<string, string | undefined>>): Dispatcher | undefined {
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env[name]);
  return proxied ? new EnvHttpProxyAgent() : undefined;
}

/**
 * Sends one HTTP request for a channel. A 2xx answer is returned for the adapter to check
 * the service's own status field; anything else throws an AlertDeliveryError whose message
 * names the masked URL, never a token. 408, 429 and 5xx are retryable, as are resets.
 */
export async function alertRequest(http: AlertRequest): Promise<AlertResponse> {
  const shown = http.label ?? maskURL(http.url);
  const secrets = [...urlSecrets(http.url), ...(http.secrets ?? [])];
  let response: Dispatcher.ResponseData;
  try {
    response = await request(http.url, {
      method: http.method ?? 'POST',
      headers: { 'user-agent': 'llmkit-alerts', ...http.headers },
      body: http.body ?? null,
      signal: http.signal,
      ...(http.dispatcher === undefined ? {} : { dispatcher: http.dispatcher }),
    });
  } catch (error) {
    if (http.signal.aborted) throw abortReason(http.signal);
    if (LlmkitError.isInstance(error)) throw error;
    const code = errorCode(error);
    const reason = scrubSecrets(code ?? (error instanceof Error ? error.message : String(error)), secrets);
    throw new AlertDeliveryError(`could not reach ${shown}: ${reason}`, {
      // No `cause`: a transport error may carry the unmasked URL.
      retryable: code === undefined || transientCodes.test(code),
    });
  }
  const text = await readText(response.body, http.signal);
  const body = parseJson(text);
  const { statusCode: status } = response;
  if (status >= 200 && status < 300) return { status, body, text };

  const hints = readServerHints((name) => {
    const value = response.headers[name];
    return Array.isArray(value) ? value[0] : value;
  });
  const reason = http.describeError?.(body) ?? oneLine(text, 200);
  throw new AlertDeliveryError(
    scrubSecrets(`${shown} returned ${status}${reason ? `: ${reason}` : ''}`, secrets),
    {
      status,
      retryable: status === 408 || status === 429 || status >= 500,
      retryAfterMs: hints.retryAfterMs,
    },
  );
}

async function readText(body: Dispatcher.ResponseData['body'], signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      chunks.push(buffer);
      size += buffer.length;
      if (size >= maxBodyBytes) break;
    }
  } catch (error) {
    if (signal.aborted) throw abortReason(signal);
    throw new AlertDeliveryError(
      `the connection broke while reading the answer (${errorCode(error) ?? 'reset'})`,
      {
        retryable: true,
      },
    );
  } finally {
    if (size >= maxBodyBytes) body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, maxBodyBytes).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
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

/** A failure a service reported inside a 2xx answer (DingTalk `errcode`, Feishu `code`...). */
export function serviceError(
  service: string,
  code: string | number,
  message: unknown,
  options: { retryable?: boolean; secrets?: readonly string[] } = {},
): AlertDeliveryError {
  const reason = typeof message === 'string' && message !== '' ? `: ${oneLine(message, 200)}` : '';
  return new AlertDeliveryError(
    scrubSecrets(`${service} answered error ${code}${reason}`, options.secrets ?? []),
    {
      retryable: options.retryable ?? false,
      upstreamCode: String(code),
    },
  );
}
