import { Readable } from 'node:stream';
import { LlmkitError, type LlmkitErrorFields, StreamInterruptedError } from '../../errors/index.js';
import { abortReason } from '../../retry/sleep.js';
import { createSseParser } from '../../streams/sse-parser.js';
import type { StreamPart } from '../types.js';
import type { ChunkDecoder } from './chunk-decoder.js';
import { type HttpResponse, transportError } from './transport.js';

export function partStream(
  response: HttpResponse,
  decoder: ChunkDecoder,
  maxLineBytes: number | undefined,
  fields: LlmkitErrorFields,
  signal: AbortSignal | undefined,
  redact: (error: LlmkitError) => LlmkitError,
): ReadableStream<StreamPart> {
  const events = (Readable.toWeb(response.body) as ReadableStream<Uint8Array>).pipeThrough(
    createSseParser(maxLineBytes === undefined ? {} : { maxLineBytes }),
  );
  const reader = events.getReader();
  const fail = (error: unknown): LlmkitError => {
    if (signal?.aborted) return abortReason(signal);
    if (LlmkitError.isInstance(error)) return redact(error);
    const reason = transportError(error, undefined, fields);
    return new StreamInterruptedError(`connection lost mid-stream: ${reason.detail}`, {
      ...fields,
      cause: error,
    });
  };
  return new ReadableStream<StreamPart>(
    {
      async pull(controller) {
        for (;;) {
          let next: Awaited<ReturnType<typeof reader.read>>;
          try {
            next = await reader.read();
          } catch (error) {
            controller.error(fail(error));
            return;
          }
          if (next.done) {
            // No [DONE] but every choice finished: some servers (older Ollama) end this way.
            if (decoder.done || decoder.finished) controller.close();
            else
              controller.error(
                new StreamInterruptedError('stream ended before the upstream finished', fields),
              );
            return;
          }
          let parts: StreamPart[];
          try {
            parts = decoder.decode(next.value);
          } catch (error) {
            void reader.cancel().catch(() => {});
            controller.error(fail(error));
            return;
          }
          for (const part of parts) controller.enqueue(part);
          if (decoder.done) {
            controller.close();
            drain(reader);
            return;
          }
          if (parts.length > 0) return;
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Reads what follows `[DONE]` so the socket returns to the keep-alive pool, but never for long. */
function drain(reader: ReadableStreamDefaultReader<unknown>): void {
  const timer = setTimeout(() => void reader.cancel().catch(() => {}), 2_000);
  timer.unref();
  void (async () => {
    try {
      for (;;) if ((await reader.read()).done) break;
    } catch {
      // The stream already delivered everything the caller needs.
    } finally {
      clearTimeout(timer);
    }
  })();
}
