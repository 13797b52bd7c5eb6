import type { ResolvedReply } from './resolve-reply.js';

const SYSTEM_FINGERPRINT = 'fp_fake_upstream';

/** The non-streaming `chat.completion` body, field for field as OpenAI sends it. */
export function chatCompletion(reply: ResolvedReply): object {
  const message = {
    role: 'assistant',
    content: reply.content,
    ...(reply.toolCalls.length > 0 && {
      tool_calls: reply.toolCalls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      })),
    }),
    refusal: null,
  };
  return {
    id: reply.id,
    object: 'chat.completion',
    created: reply.created,
    model: reply.model,
    choices: choiceIndexes(reply).map((index) => ({
      index,
      message,
      finish_reason: reply.finishReason,
      logprobs: null,
    })),
    ...(reply.includeUsage && { usage: reply.usage }),
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

/** One SSE event of a stream; `delta` events are the ones faults and delays count. */
export interface StreamEvent {
  kind: 'role' | 'delta' | 'finish' | 'usage' | 'done';
  text: string;
}

/**
 * The events of a `chat.completion.chunk` stream: a role chunk, content deltas, tool calls
 * (name first, then argument fragments carrying only their index), the finish chunk, the usage
 * chunk when `stream_options.include_usage` asked for it, then `[DONE]`.
 */
export function chatCompletionEvents(reply: ResolvedReply, usageRequested: boolean): StreamEvent[] {
  const withUsage = usageRequested && reply.includeUsage;
  const chunk = (choices: object[], extra: object = {}): string =>
    `data: ${JSON.stringify({
      id: reply.id,
      object: 'chat.completion.chunk',
      created: reply.created,
      model: reply.model,
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices,
      // OpenAI sends `usage: null` on every chunk but the last once usage was requested.
      ...(withUsage && { usage: null }),
      ...extra,
    })}\n\n`;
  const eachChoice = (kind: StreamEvent['kind'], delta: object, finishReason: string | null = null) =>
    choiceIndexes(reply).map((index) => ({
      kind,
      text: chunk([{ index, delta, logprobs: null, finish_reason: finishReason }]),
    }));

  const events: StreamEvent[] = eachChoice('role', { role: 'assistant', content: '' });
  for (const piece of reply.chunks) events.push(...eachChoice('delta', { content: piece }));
  reply.toolCalls.forEach((call, index) => {
    const opening = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
    events.push(...eachChoice('delta', { tool_calls: [opening] }));
    for (const fragment of argumentFragments(call.arguments)) {
      events.push(...eachChoice('delta', { tool_calls: [{ index, function: { arguments: fragment } }] }));
    }
  });
  events.push(...eachChoice('finish', {}, reply.finishReason));
  if (withUsage) events.push({ kind: 'usage', text: chunk([], { usage: reply.usage }) });
  events.push({ kind: 'done', text: 'data: [DONE]\n\n' });
  return events;
}

function choiceIndexes(reply: ResolvedReply): number[] {
  return Array.from({ length: reply.choiceCount }, (_, index) => index);
}

/** Arguments arrive in small pieces that split JSON tokens, so clients must buffer them. */
function argumentFragments(text: string): string[] {
  const fragments: string[] = [];
  for (let start = 0; start < text.length; start += 8) fragments.push(text.slice(start, start + 8));
  return fragments;
}
