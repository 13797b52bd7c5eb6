import type { GenerateResult } from '../pipeline/call-context.js';
import type { FinishReason, StreamPart, Usage } from '../providers/types.js';

/**
 * OpenAI's finish reasons. An upstream that reported `error` keeps it (a failed answer must not
 * read as complete); llmkit's `other` (a reason it did not know) becomes `stop`.
 */
function finishReason(reason: FinishReason): string {
  return reason === 'other' ? 'stop' : reason;
}

export function usageBody(usage: Usage | undefined) {
  if (!usage) return undefined;
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens,
    ...(usage.cachedInputTokens === undefined
      ? {}
      : { prompt_tokens_details: { cached_tokens: usage.cachedInputTokens } }),
    ...(usage.reasoningTokens === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } }),
  };
}

/** A `chat.completion` object for a finished call. */
export function completionBody(result: GenerateResult, id: string, model: string) {
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: result.choices.map((choice) => ({
      index: choice.index,
      message: {
        role: 'assistant',
        content: choice.message.content,
        ...(choice.message.tool_calls?.length ? { tool_calls: choice.message.tool_calls } : {}),
        ...(result.choices.length === 1 && result.reasoning ? { reasoning_content: result.reasoning } : {}),
        refusal: null,
      },
      logprobs: null,
      finish_reason: finishReason(choice.finishReason),
    })),
    usage: usageBody(result.usage) ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

/**
 * Turns parts into `chat.completion.chunk` events. One writer per response: it remembers which
 * choices already announced their role, as OpenAI's first delta of a choice does.
 */
export class ChunkWriter {
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly started = new Set<number>();
  usage: Usage | undefined;

  constructor(
    private id: string,
    private readonly model: string,
  ) {}

  /** The SSE event text for a part, or '' when it carries nothing a client sees. */
  event(part: StreamPart): string {
    switch (part.type) {
      case 'response-metadata':
        if (part.id && this.started.size === 0) this.id = part.id;
        return '';
      case 'text-delta':
        return this.chunk(part.choiceIndex, { content: part.text }, null);
      case 'reasoning-delta':
        return this.chunk(part.choiceIndex, { reasoning_content: part.text }, null);
      case 'tool-call-delta':
        return this.chunk(
          part.choiceIndex,
          {
            tool_calls: [
              {
                index: part.toolCallIndex,
                ...(part.id ? { id: part.id, type: 'function' } : {}),
                function: { ...(part.name ? { name: part.name } : {}), arguments: part.argumentsDelta },
              },
            ],
          },
          null,
        );
      case 'finish':
        return this.chunk(part.choiceIndex, {}, finishReason(part.finishReason));
      case 'usage':
        this.usage = part.usage;
        return '';
    }
  }

  /** The closing events: the usage chunk (`choices: []`, as with `include_usage`) and `[DONE]`. */
  end(usage: Usage | undefined): string {
    const body = usageBody(usage ?? this.usage);
    const usageEvent = body
      ? `data: ${JSON.stringify({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: body })}\n\n`
      : '';
    return `${usageEvent}data: [DONE]\n\n`;
  }

  private chunk(index: number, delta: Record<string, unknown>, finish: string | null): string {
    if (!this.started.has(index)) {
      this.started.add(index);
      delta = { role: 'assistant', ...delta };
    }
    const body = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index, delta, logprobs: null, finish_reason: finish }],
    };
    return `data: ${JSON.stringify(body)}\n\n`;
  }
}
