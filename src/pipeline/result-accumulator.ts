import type { AssistantMessage, FinishReason, StreamPart, ToolCall, Usage } from '../providers/types.js';
import type { GenerateResult } from './call-context.js';

interface ChoiceState {
  text: string;
  reasoning: string;
  toolCalls: Map<number, { id: string; name: string; arguments: string }>;
  finishReason: FinishReason | undefined;
}

/**
 * Folds stream parts into the final result. Retries happen only before any content reached
 * it, so a retried attempt's parts simply overwrite the metadata of the one before.
 */
export class ResultAccumulator {
  private choices = new Map<number, ChoiceState>();
  usage: Usage | undefined;
  responseId: string | undefined;
  responseModel: string | undefined;
  upstreamRequestId: string | undefined;
  receivedContent = false;

  /** True once every choice reported its finish reason: the answer is complete, usage may follow. */
  allFinished(): boolean {
    if (this.choices.size === 0) return false;
    for (const choice of this.choices.values()) if (choice.finishReason === undefined) return false;
    return true;
  }

  /** Everything the model produced so far, for counting tokens when the provider reported none. */
  receivedText(): string {
    let text = '';
    for (const choice of this.choices.values()) {
      text += choice.reasoning + choice.text;
      for (const call of choice.toolCalls.values()) text += call.name + call.arguments;
    }
    return text;
  }

  add(part: StreamPart): void {
    switch (part.type) {
      case 'response-metadata':
        this.responseId = part.id ?? this.responseId;
        this.responseModel = part.model ?? this.responseModel;
        this.upstreamRequestId = part.requestId ?? this.upstreamRequestId;
        return;
      case 'text-delta':
        this.receivedContent = true;
        this.choice(part.choiceIndex).text += part.text;
        return;
      case 'reasoning-delta':
        this.receivedContent = true;
        this.choice(part.choiceIndex).reasoning += part.text;
        return;
      case 'tool-call-delta': {
        this.receivedContent = true;
        const calls = this.choice(part.choiceIndex).toolCalls;
        const call = calls.get(part.toolCallIndex) ?? { id: '', name: '', arguments: '' };
        if (part.id) call.id = part.id;
        if (part.name) call.name += part.name;
        call.arguments += part.argumentsDelta;
        calls.set(part.toolCallIndex, call);
        return;
      }
      case 'usage':
        this.usage = part.usage;
        return;
      case 'finish':
        this.choice(part.choiceIndex).finishReason = part.finishReason;
        return;
    }
  }

  result(
    fields: Omit<
      GenerateResult,
      | 'text'
      | 'message'
      | 'toolCalls'
      | 'choices'
      | 'finishReason'
      | 'responseModel'
      | 'upstreamRequestId'
      | 'responseId'
    >,
  ): GenerateResult {
    if (this.choices.size === 0) this.choice(0);
    const choices = this.choiceMessages();
    const first = choices[0]!;
    const result: GenerateResult = {
      ...fields,
      text: first.text,
      message: first.message,
      toolCalls: first.toolCalls,
      choices: choices.map(({ index, text, message, finishReason }) => ({
        index,
        text,
        message,
        finishReason: finishReason ?? 'other',
      })),
      finishReason: first.finishReason ?? 'other',
      responseModel: this.responseModel,
      upstreamRequestId: this.upstreamRequestId,
      responseId: this.responseId,
    };
    if (first.reasoning) result.reasoning = first.reasoning;
    return result;
  }

  /** Every choice so far, in index order, folded into its assistant message (the cache stores these). */
  choiceMessages(): Array<{
    index: number;
    text: string;
    message: AssistantMessage;
    toolCalls: ToolCall[];
    finishReason: FinishReason | undefined;
    reasoning: string;
  }> {
    const indexes = [...this.choices.keys()].sort((a, b) => a - b);
    return indexes.map((index) => {
      const state = this.choice(index);
      const toolCalls: ToolCall[] = [...state.toolCalls.entries()]
        .sort(([a], [b]) => a - b)
        .map(([position, call]) => ({
          id: call.id || `call_${position}`,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        }));
      const message: AssistantMessage = {
        role: 'assistant',
        content: state.text || (toolCalls.length ? null : ''),
      };
      if (toolCalls.length > 0) message.tool_calls = toolCalls;
      return {
        index,
        text: state.text,
        message,
        finishReason: state.finishReason,
        toolCalls,
        reasoning: state.reasoning,
      };
    });
  }

  private choice(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (!state) {
      state = { text: '', reasoning: '', toolCalls: new Map(), finishReason: undefined };
      this.choices.set(index, state);
    }
    return state;
  }
}

export function isContentPart(part: StreamPart): boolean {
  return part.type === 'text-delta' || part.type === 'tool-call-delta' || part.type === 'reasoning-delta';
}
