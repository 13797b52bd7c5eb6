import type { GenerateResult } from '../pipeline/call-context.js';
import type { StreamPart } from '../providers/types.js';

/** What a caller of `stream()` sees: every part but the internal metadata. Noun-verb names, as in the rest of llmkit. */
export type StreamEvent = Exclude<StreamPart, { type: 'response-metadata' }>;

/**
 * A streamed call: iterate it for events, await `result` for the whole answer. Leaving the
 * loop early (break, return, throw) cancels the stream, which aborts the upstream request.
 */
export class LlmStream implements AsyncIterable<StreamEvent> {
  private readonly resultPromise: Promise<GenerateResult>;
  private iterated = false;
  private draining = false;
  private readonly abortController: AbortController;

  constructor(
    private readonly parts: Promise<ReadableStream<StreamPart>>,
    result: Promise<GenerateResult>,
    abortController: AbortController,
  ) {
    this.abortController = abortController;
    this.resultPromise = result;
    // Breaking out of the loop rejects `result`, and a failed call rejects `parts`; a caller
    // who never looks at one of them must not crash the process with an unhandled rejection.
    result.catch(() => {});
    parts.catch(() => {});
  }

  /**
   * The whole answer, once the stream ended. Awaiting it without iterating reads the stream
   * for you (checked after the current tick, so `const { result } = stream; for await...` still
   * iterates as written), so `await client.stream(...).result` can never hang.
   */
  get result(): Promise<GenerateResult> {
    if (!this.iterated && !this.draining) {
      this.draining = true;
      queueMicrotask(() => {
        if (!this.iterated) void this.finish().catch(() => {});
      });
    }
    return this.resultPromise;
  }

  /** Reads the whole stream without iterating, then resolves with the result. */
  async finish(): Promise<GenerateResult> {
    if (!this.iterated) for await (const _ of this);
    return this.resultPromise;
  }

  /** Stops the call; the iterator ends and `result` rejects with `AbortedError`. */
  abort(reason?: unknown): void {
    this.abortController.abort(reason);
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.iterated) throw new Error('an LlmStream can be iterated only once');
    this.iterated = true;
    return this.events();
  }

  private async *events(): AsyncGenerator<StreamEvent> {
    const reader = (await this.parts).getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        if (value.type !== 'response-metadata') yield value;
      }
    } finally {
      if (!finished) await reader.cancel('the caller stopped reading').catch(() => {});
      reader.releaseLock();
    }
  }
}
