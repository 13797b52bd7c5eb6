import { randomBytes } from 'node:crypto';
import { isRecord } from './is-record.js';
import type { FakeReply, FakeUsage } from './types.js';

/** A reply with every default filled in, ready to serialize as a completion or a stream. */
export interface ResolvedReply {
  id: string;
  created: number;
  model: string;
  /** How many choices (`n`) the request asked for. */
  choiceCount: number;
  /** `null` when the reply only calls tools, as OpenAI sends it. */
  content: string | null;
  chunks: string[];
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: string;
  usage: Required<Pick<FakeUsage, 'total_tokens'>> & FakeUsage;
  /** False when the script said `usage: false`. */
  includeUsage: boolean;
}

/**
 * Fills in the defaults of a scripted reply from the request body. Everything but the ids and
 * the timestamp is derived from the request, so a test can predict text and token counts.
 */
export function resolveReply(reply: FakeReply, requestBody: unknown): ResolvedReply {
  const body = isRecord(requestBody) ? requestBody : {};
  const toolCalls = (reply.toolCalls ?? []).map((call) => ({
    id: call.id ?? `call_${randomBytes(12).toString('hex')}`,
    name: call.name,
    arguments: call.arguments,
  }));
  const content =
    reply.text ?? reply.chunks?.join('') ?? (toolCalls.length > 0 ? null : defaultText(body['messages']));
  const chunks = reply.chunks ?? splitWords(content ?? '');
  const choiceCount = typeof body['n'] === 'number' && body['n'] > 1 ? Math.floor(body['n']) : 1;
  const completionText =
    (content ?? '') + toolCalls.map((call) => call.name + ' ' + call.arguments).join(' ');
  const computed: FakeUsage = {
    prompt_tokens: countTokens(collectText(body['messages'])),
    completion_tokens: countTokens(completionText) * choiceCount,
  };
  const scripted = reply.usage || computed;
  // A real provider never bills more output than `max_tokens` allows: it stops with `length`.
  const limit = [body['max_completion_tokens'], body['max_tokens']].find(
    (value) => typeof value === 'number',
  );
  const capped = typeof limit === 'number' && scripted.completion_tokens > limit * choiceCount;
  const usage = capped
    ? { ...scripted, completion_tokens: limit * choiceCount, total_tokens: undefined }
    : scripted;
  return {
    id: `chatcmpl-${randomBytes(12).toString('hex')}`,
    created: Math.floor(Date.now() / 1000),
    model: typeof body['model'] === 'string' ? body['model'] : 'fake-model',
    choiceCount,
    content,
    chunks,
    toolCalls,
    finishReason: reply.finishReason ?? (capped ? 'length' : toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    usage: { ...usage, total_tokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens },
    includeUsage: reply.usage !== false,
  };
}

/** Splits text into word-ish pieces that concatenate back to the original: `a b` → `a `, `b`. */
export function splitWords(text: string): string[] {
  return text.match(/\s*\S+\s*|\s+/g) ?? [];
}

/** A stand-in tokenizer: each whitespace-separated word costs one token per 4 characters. */
function countTokens(text: string): number {
  let tokens = 0;
  for (const word of text.split(/\s+/)) tokens += Math.ceil(word.length / 4);
  return tokens;
}

function defaultText(messages: unknown): string {
  const lastUser = Array.isArray(messages)
    ? messages.findLast((message) => isRecord(message) && message['role'] === 'user')
    : undefined;
  return `echo: ${collectText(lastUser === undefined ? [] : [lastUser])}`.trimEnd();
}

/** Text of every message, whether its content is a string or an array of `{ type: 'text' }` parts. */
function collectText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  const texts: string[] = [];
  for (const message of messages) {
    const content = isRecord(message) ? message['content'] : undefined;
    if (typeof content === 'string') texts.push(content);
    if (!Array.isArray(content)) continue;
    for (const part of content) {
      if (isRecord(part) && typeof part['text'] === 'string') texts.push(part['text']);
    }
  }
  return texts.join(' ');
}
