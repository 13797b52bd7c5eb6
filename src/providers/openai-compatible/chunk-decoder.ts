import { errorFromResponse, InvalidResponseError, type LlmkitError } from '../../errors/index.js';
import type { StreamPart } from '../types.js';
import { mapFinishReason, mapUsage } from './map-response.js';
import { chunkSchema } from './wire-schema.js';

export interface SseMessage {
  event: string;
  data: string;
}

export interface ChunkContext {
  provider: string;
  model: string;
  requestId?: string | undefined;
}

/**
 * Turns OpenAI-style SSE events into stream parts, one event at a time. It remembers what a
 * truncation check needs: whether `[DONE]` arrived and whether any choice finished.
 */
export class ChunkDecoder {
  done = false;
  finished = false;
  private sentMetadata = false;

  constructor(private readonly context: ChunkContext) {}

  /** Parts for one event; throws the upstream's typed error for `event: error` or an error body. */
  decode(message: SseMessage): StreamPart[] {
    if (this.done) return []; // Data after [DONE] is noise some proxies append.
    if (message.data === '[DONE]') {
      this.done = true;
      return [];
    }
    if (message.data === '') return []; // An empty keep-alive `data:` line.
    const json = this.parseJson(message.data);
    if (message.event === 'error' || (typeof json === 'object' && json !== null && 'error' in json)) {
      throw this.streamedError(json);
    }
    const parsed = chunkSchema.safeParse(json);
    if (!parsed.success) {
      throw new InvalidResponseError(
        `stream chunk from ${this.context.provider} is not a chat.completion.chunk: ${parsed.error.issues[0]?.message ?? 'bad shape'}`,
        this.fields(),
      );
    }
    const chunk = parsed.data;
    const parts: StreamPart[] = [];
    if (!this.sentMetadata) {
      this.sentMetadata = true;
      const metadata: StreamPart = { type: 'response-metadata' };
      if (chunk.id) metadata.id = chunk.id;
      if (chunk.model) metadata.model = chunk.model;
      if (this.context.requestId) metadata.requestId = this.context.requestId;
      parts.push(metadata);
    }
    for (const choice of chunk.choices ?? []) {
      const choiceIndex = choice.index ?? 0;
      const delta = choice.delta;
      if (delta?.reasoning_content)
        parts.push({ type: 'reasoning-delta', choiceIndex, text: delta.reasoning_content });
      if (delta?.content) parts.push({ type: 'text-delta', choiceIndex, text: delta.content });
      for (const [position, call] of (delta?.tool_calls ?? []).entries()) {
        const part: Extract<StreamPart, { type: 'tool-call-delta' }> = {
          type: 'tool-call-delta',
          choiceIndex,
          toolCallIndex: call.index ?? position,
          argumentsDelta: call.function?.arguments ?? '',
        };
        if (call.id) part.id = call.id;
        if (call.function?.name) part.name = call.function.name;
        parts.push(part);
      }
      if (choice.finish_reason) {
        this.finished = true;
        parts.push({ type: 'finish', choiceIndex, finishReason: mapFinishReason(choice.finish_reason) });
      }
    }
    const usage = mapUsage(chunk.usage);
    if (usage) parts.push({ type: 'usage', usage });
    return parts;
  }

  private parseJson(data: string): unknown {
    try {
      return JSON.parse(data);
    } catch {
      throw new InvalidResponseError(
        `stream from ${this.context.provider} sent a data line that is not JSON: ${data.slice(0, 80)}`,
        this.fields(),
      );
    }
  }

  private streamedError(json: unknown): LlmkitError {
    const inner = typeof json === 'object' && json !== null ? (json as { error?: unknown }).error : undefined;
    const code = typeof inner === 'object' && inner !== null ? (inner as { code?: unknown }).code : undefined;
    // A status may ride in `code`; anything else in a mid-stream error is the server's fault.
    const status = typeof code === 'number' && code >= 400 && code < 600 ? code : 500;
    return errorFromResponse(status, json ?? {}, this.context);
  }

  private fields() {
    return { provider: this.context.provider, model: this.context.model, requestId: this.context.requestId };
  }
}
