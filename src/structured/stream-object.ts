import type { CallOptions } from '../client/call-options.js';
import type { LlmStream, StreamEvent } from '../client/llm-stream.js';
import { AbortedError } from '../errors/index.js';
import type { OutputAttempt } from '../errors/output-errors.js';
import type { GenerateResult } from '../pipeline/call-context.js';
import type { ChatMessage } from '../providers/types.js';
import {
  failure,
  logRepair,
  type ObjectCaller,
  type ObjectOptions,
  type ObjectResult,
  objectResult,
  prepareObject,
} from './generate-object.js';
import { type ObjectPlan, objectRequest, objectText, repairMessages } from './object-plan.js';
import type { InferSchema, SchemaInput } from './object-schema.js';
import { parseObject } from './parse-object.js';
import { parsePartialJson } from './partial-json.js';

/** What a partial object may look like while it streams: every field may be missing or incomplete. */
export type PartialObject<T> =
  T extends ReadonlyArray<infer E>
    ? Array<PartialObject<E>>
    : T extends object
      ? { [K in keyof T]?: PartialObject<T[K]> }
      : T;

export interface ObjectStreamCaller extends ObjectCaller {
  stream(messages: ChatMessage[], options: CallOptions): LlmStream;
}

/**
 * A streamed `generateObject`: iterate it for partial objects as the JSON arrives (each one
 * differs from the last), await `object` for the validated whole. Partial objects are not
 * validated. When an attempt fails validation, the repair attempt streams too, and partial
 * objects start again from its first delta.
 */
export class ObjectStream<T> implements AsyncIterable<PartialObject<T>> {
  private readonly resultPromise: Promise<ObjectResult<T>>;
  private resolve!: (result: ObjectResult<T>) => void;
  private reject!: (error: unknown) => void;
  private iterated = false;
  private draining = false;
  private readonly controller = new AbortController();

  constructor(
    private readonly caller: ObjectStreamCaller,
    private readonly prepared: ReturnType<typeof prepareObject>,
    signal: AbortSignal | undefined,
  ) {
    this.resultPromise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.resultPromise.catch(() => {});
    if (signal) {
      const onAbort = () => this.controller.abort(signal.reason);
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        // A long-lived caller signal must not keep every finished stream reachable.
        const remove = () => signal.removeEventListener('abort', onAbort);
        this.resultPromise.then(remove, remove);
      }
    }
  }

  /** The validated object; awaiting it without iterating reads the stream for you. */
  get object(): Promise<T> {
    return this.result.then((result) => result.object);
  }

  /** Everything `generateObject` returns; awaiting it without iterating reads the stream for you. */
  get result(): Promise<ObjectResult<T>> {
    this.drainUnlessIterated();
    return this.resultPromise;
  }

  /** Stops the stream; `object` rejects with `AbortedError`. */
  abort(reason?: unknown): void {
    this.controller.abort(reason);
  }

  [Symbol.asyncIterator](): AsyncIterator<PartialObject<T>> {
    if (this.iterated) throw new Error('an ObjectStream can be iterated only once');
    this.iterated = true;
    return this.run();
  }

  private drainUnlessIterated(): void {
    if (this.iterated || this.draining) return;
    this.draining = true;
    queueMicrotask(() => {
      if (!this.iterated)
        void (async () => {
          for await (const _ of this);
        })().catch(() => {});
    });
  }

  private async *run(): AsyncGenerator<PartialObject<T>> {
    const { schema, plan, maxAttempts, callOptions } = this.prepared;
    let messages = this.prepared.messages;
    const attempts: OutputAttempt[] = [];
    const results: GenerateResult[] = [];
    let settled = false;
    try {
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const { messages: sent, ...fields } = objectRequest(plan, messages);
        const stream = this.caller.stream(sent, {
          ...callOptions,
          ...fields,
          signal: this.controller.signal,
        });
        let raw = '';
        let last: string | undefined;
        for await (const event of stream) {
          const delta = deltaOf(plan, event);
          if (delta === undefined) continue;
          raw += delta;
          const partial = parsePartialJson(jsonStart(raw));
          if (partial === undefined) continue;
          const key = JSON.stringify(partial.value);
          if (key === last) continue;
          last = key;
          yield partial.value as PartialObject<T>;
        }
        const result = await stream.result;
        results.push(result);
        const text = objectText(plan, result);
        const parsed = parseObject(text, schema, result.finishReason);
        if (parsed.success) {
          settled = true;
          this.resolve(objectResult(parsed.value as T, text, plan, results));
          return;
        }
        attempts.push({ text, issues: parsed.issues, requestId: result.requestId });
        logRepair(this.caller.logger, plan, result, attempt, maxAttempts, parsed.issues.length);
        messages = [...messages, ...repairMessages(plan, result, parsed.issues)];
      }
      settled = true;
      this.reject(failure(plan, attempts, results));
    } catch (error) {
      settled = true;
      this.reject(error);
      throw error;
    } finally {
      // Leaving the loop early: the inner stream was cancelled with it; say why `object` failed.
      if (!settled) this.reject(new AbortedError());
    }
  }
}

export function streamObject<S extends SchemaInput>(
  caller: ObjectStreamCaller,
  options: ObjectOptions<S>,
): ObjectStream<InferSchema<S>> {
  return new ObjectStream<InferSchema<S>>(caller, prepareObject(caller, options), options.signal);
}

function deltaOf(plan: ObjectPlan, event: StreamEvent): string | undefined {
  if (plan.mode === 'tool') {
    return event.type === 'tool-call-delta' && event.choiceIndex === 0 && event.toolCallIndex === 0
      ? event.argumentsDelta
      : undefined;
  }
  return event.type === 'text-delta' && event.choiceIndex === 0 ? event.text : undefined;
}

/** Skips prose or a Markdown fence before the JSON, so partials show from the first brace. */
function jsonStart(raw: string): string {
  const index = raw.search(/[[{]/);
  return index <= 0 ? raw : raw.slice(index);
}
