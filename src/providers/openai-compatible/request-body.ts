import type { ModelRequest } from '../types.js';

/**
 * The chat-completions body, in the field order and naming the official SDK sends. Unset
 * options are left out rather than sent as null: several compatible servers reject nulls.
 */
export function requestBody(
  modelId: string,
  request: ModelRequest,
  stream: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = { messages: request.messages, model: modelId };
  const optional: Array<[string, unknown]> = [
    ['frequency_penalty', request.frequencyPenalty],
    ['max_completion_tokens', request.maxCompletionTokens],
    ['max_tokens', request.maxTokens],
    ['n', request.n],
    ['parallel_tool_calls', request.parallelToolCalls],
    ['presence_penalty', request.presencePenalty],
    ['response_format', request.responseFormat],
    ['seed', request.seed],
    ['stop', request.stop],
    ['temperature', request.temperature],
    ['tool_choice', request.toolChoice],
    ['tools', request.tools],
    ['top_p', request.topP],
    ['user', request.user],
  ];
  for (const [key, value] of optional) if (value !== undefined) body[key] = value;
  if (stream) {
    body['stream'] = true;
    // Without this, OpenAI-compatible streams carry no token counts at all.
    body['stream_options'] = { include_usage: true };
  }
  if (request.extraBody) Object.assign(body, request.extraBody);
  return body;
}
