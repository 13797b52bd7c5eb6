import { z } from 'zod';
import type { LanguageModelV1 } from '../providers/language-model.js';
import { responsePartStream } from '../providers/response-parts.js';
import type { FinishReason, ModelResponse, StreamPart, ToolCall, Usage } from '../providers/types.js';

/** A stored answer: the whole response, and the provider and model that gave it. */
export interface CacheEntry {
  version: 1;
  provider: string;
  model: string;
  /** Epoch ms. */
  createdAt: number;
  /** Without the upstream's response and request ids: they belong to the call that was sent. */
  response: ModelResponse;
}

// Finish reasons worth answering with again: a provider error or a filtered answer may well go
// differently on the next try, so they are never stored.
const storable = new Set<FinishReason>(['stop', 'length', 'tool_calls']);

interface ChoiceState {
  text: string;
  reasoning: string;
  toolCalls: Map<number, { id: string; name: string; arguments: string }>;
  finishReason: FinishReason | undefined;
}

/**
 * Folds the parts of an answer as they pass, text deltas merged per choice, into the response
 * to store: compact whatever the chunking, and replayed alike to streaming and whole calls.
 */
export class AnswerRecorder {
  readonly #choices = new Map<number, ChoiceState>();
  #usage: Usage | undefined;
  #model: string | undefined;

  add(part: StreamPart): void {
    switch (part.type) {
      case 'response-metadata':
        this.#model = part.model ?? this.#model;
        return;
      case 'text-delta':
        this.#choice(part.choiceIndex).text += part.text;
        return;
      case 'reasoning-delta':
        this.#choice(part.choiceIndex).reasoning += part.text;
        return;
      case 'tool-call-delta': {
        const calls = this.#choice(part.choiceIndex).toolCalls;
        const call = calls.get(part.toolCallIndex) ?? { id: '', name: '', arguments: '' };
        if (part.id) call.id = part.id;
        if (part.name) call.name += part.name;
        call.arguments += part.argumentsDelta;
        calls.set(part.toolCallIndex, call);
        return;
      }
      case 'usage':
        this.#usage = part.usage;
        return;
      case 'finish':
        this.#choice(part.choiceIndex).finishReason = part.finishReason;
    }
  }

  /** The response to store, or undefined unless all `choices` arrived and finished well. */
  response(choices: number): ModelResponse | undefined {
    if (this.#choices.size !== choices) return undefined;
    const indexes = [...this.#choices.keys()].sort((a, b) => a - b);
    const response: ModelResponse = { choices: [] };
    for (const index of indexes) {
      const state = this.#choices.get(index)!;
      if (state.finishReason === undefined || !storable.has(state.finishReason)) return undefined;
      const toolCalls: ToolCall[] = [...state.toolCalls.entries()]
        .sort(([a], [b]) => a - b)
        .map(([position, call]) => ({
          id: call.id || `call_${position}`,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        }));
      const message: ModelResponse['choices'][number]['message'] = {
        role: 'assistant',
        content: state.text || (toolCalls.length > 0 ? null : ''),
      };
      if (toolCalls.length > 0) message.tool_calls = toolCalls;
      const choice: ModelResponse['choices'][number] = { index, message, finishReason: state.finishReason };
      if (state.reasoning) choice.reasoning = state.reasoning;
      response.choices.push(choice);
    }
    if (this.#model !== undefined) response.model = this.#model;
    if (this.#usage) response.usage = this.#usage;
    return response;
  }

  #choice(index: number): ChoiceState {
    let state = this.#choices.get(index);
    if (!state) {
      state = { text: '', reasoning: '', toolCalls: new Map(), finishReason: undefined };
      this.#choices.set(index, state);
    }
    return state;
  }
}

const count = z.number().int().min(0);
const entrySchema = z.object({
  version: z.literal(1),
  provider: z.string().min(1),
  model: z.string().min(1),
  createdAt: z.number(),
  response: z.object({
    model: z.string().optional(),
    choices: z
      .array(
        z.object({
          index: count,
          message: z.object({
            role: z.literal('assistant'),
            content: z.string().nullable(),
            tool_calls: z
              .array(
                z.object({
                  id: z.string(),
                  type: z.literal('function'),
                  function: z.object({ name: z.string(), arguments: z.string() }),
                }),
              )
              .optional(),
          }),
          finishReason: z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'error', 'other']),
          reasoning: z.string().optional(),
        }),
      )
      .min(1),
    usage: z
      .object({
        inputTokens: count,
        outputTokens: count,
        totalTokens: count,
        cachedInputTokens: count.optional(),
        reasoningTokens: count.optional(),
      })
      .optional(),
  }),
});

/**
 * Reads a stored entry back. A store is outside input (a shared Redis, a file another version
 * wrote): anything that does not parse into an answer is treated as no entry at all.
 */
export function parseEntry(text: string): CacheEntry | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = entrySchema.safeParse(data);
  // The schema is CacheEntry's; zod types optional fields as `T | undefined`, which it never yields.
  return parsed.success ? (parsed.data as CacheEntry) : undefined;
}

/**
 * The model behind a cache hit: it answers every request with the stored response and sends
 * nothing. A hit's `CallTarget` carries it, so a hit is a call like any other to the steps
 * around the cache, and it names the provider and model that gave the answer.
 */
export function replayModel(entry: CacheEntry): LanguageModelV1 {
  return {
    specificationVersion: 'v1',
    provider: entry.provider,
    modelId: entry.model,
    generate: async () => entry.response,
    stream: async () => responsePartStream(entry.response),
  };
}
