import { z } from 'zod';
import { ResultAccumulator } from '../pipeline/result-accumulator.js';
import type { LanguageModelV1 } from '../providers/language-model.js';
import { responsePartStream } from '../providers/response-parts.js';
import type { FinishReason, ModelResponse, StreamPart } from '../providers/types.js';

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

/**
 * Folds the parts of an answer as they pass (the settle step's own fold), text deltas merged per
 * choice, into the response to store: compact whatever the chunking, and replayed alike to
 * streaming and whole calls.
 */
export class AnswerRecorder {
  readonly #folded = new ResultAccumulator();

  add(part: StreamPart): void {
    this.#folded.add(part);
  }

  /** The response to store, or undefined unless all `choices` arrived and finished well. */
  response(choices: number): ModelResponse | undefined {
    const folded = this.#folded.choiceMessages();
    if (folded.length !== choices) return undefined;
    const response: ModelResponse = { choices: [] };
    for (const { index, message, finishReason, reasoning } of folded) {
      if (finishReason === undefined || !storable.has(finishReason)) return undefined;
      const choice: ModelResponse['choices'][number] = { index, message, finishReason };
      if (reasoning) choice.reasoning = reasoning;
      response.choices.push(choice);
    }
    if (this.#folded.responseModel !== undefined) response.model = this.#folded.responseModel;
    if (this.#folded.usage) response.usage = this.#folded.usage;
    return response;
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
