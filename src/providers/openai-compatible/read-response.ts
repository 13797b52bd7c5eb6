import {
  errorFromResponse,
  InvalidResponseError,
  type LlmkitErrorFields,
  StreamInterruptedError,
} from '../../errors/index.js';
import { readServerHints } from '../../retry/server-hints.js';
import { abortReason } from '../../retry/sleep.js';
import type { ModelResponse } from '../types.js';
import { mapCompletion } from './map-response.js';
import { type HttpResponse, headerOf } from './transport.js';
import { completionSchema } from './wire-schema.js';

export function parseCompletion(
  json: unknown,
  requestId: string | undefined,
  fields: LlmkitErrorFields,
): ModelResponse {
  if (typeof json === 'object' && json !== null && 'error' in json && !('choices' in json)) {
    throw errorFromResponse(500, json, fields); // 200 with an error body: some gateways do this.
  }
  const parsed = completionSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidResponseError(
      `${fields.provider} answered 200 without chat.completion fields: ${issue?.path.join('.')} ${issue?.message}`,
      fields,
    );
  }
  return mapCompletion(parsed.data, requestId);
}

export async function readText(
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

export async function readJson(
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

export async function statusError(
  response: HttpResponse,
  fields: LlmkitErrorFields,
  signal: AbortSignal | undefined,
) {
  const text = await readText(response, fields, signal).catch(() => '');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: { message: text.slice(0, 200) } };
  }
  const hints = readServerHints((name) => headerOf(response.headers, name));
  return errorFromResponse(response.statusCode, body, { ...fields, ...hints });
}
