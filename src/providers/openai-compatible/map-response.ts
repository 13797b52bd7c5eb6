import type { AssistantMessage, Choice, FinishReason, ModelResponse, ToolCall, Usage } from '../types.js';
import type { WireCompletion, WireUsage } from './wire-schema.js';

const finishReasons: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
  // Some compatible servers (older vLLM, llama.cpp) say `eos`.
  eos: 'stop',
};

export function mapFinishReason(reason: string | null | undefined): FinishReason {
  if (!reason) return 'other';
  return finishReasons[reason] ?? 'other';
}

export function mapUsage(usage: WireUsage): Usage | undefined {
  if (!usage) return undefined;
  const inputTokens = usage.prompt_tokens ?? 0;
  const outputTokens = usage.completion_tokens ?? 0;
  const mapped: Usage = {
    inputTokens,
    outputTokens,
    totalTokens: usage.total_tokens ?? inputTokens + outputTokens,
  };
  const cached = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens;
  if (cached != null) mapped.cachedInputTokens = cached;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (reasoning != null) mapped.reasoningTokens = reasoning;
  return mapped;
}

export function mapCompletion(wire: WireCompletion, requestId: string | undefined): ModelResponse {
  const response: ModelResponse = {
    choices: wire.choices.map((choice, position) => {
      const message: AssistantMessage = { role: 'assistant', content: choice.message.content ?? null };
      const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).map((call, index) => ({
        id: call.id ?? `call_${index}`,
        type: 'function',
        function: { name: call.function.name ?? '', arguments: call.function.arguments ?? '' },
      }));
      if (toolCalls.length > 0) message.tool_calls = toolCalls;
      if (choice.message.refusal) message.refusal = choice.message.refusal;
      const mapped: Choice = {
        index: choice.index ?? position,
        message,
        finishReason: mapFinishReason(choice.finish_reason),
      };
      if (choice.message.reasoning_content) mapped.reasoning = choice.message.reasoning_content;
      return mapped;
    }),
  };
  if (wire.id) response.id = wire.id;
  if (wire.model) response.model = wire.model;
  if (requestId) response.requestId = requestId;
  const usage = mapUsage(wire.usage);
  if (usage) response.usage = usage;
  return response;
}
