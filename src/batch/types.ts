import type { CallOptions } from '../client/call-options.js';
import type { LlmkitError } from '../errors/index.js';
import type { GenerateResult } from '../pipeline/call-context.js';
import type { ChatMessage } from '../providers/types.js';
import type { ObjectResult } from '../structured/generate-object.js';
import type { SchemaInput } from '../structured/object-schema.js';

/** One item of a batch: a prompt or a conversation, with its own call options. */
export interface BatchItem extends Omit<CallOptions, 'signal' | 'maxRetries'> {
  /** Names the item in results and the journal; default its position (0-based) as a string. */
  id?: string;
  prompt?: string;
  messages?: ChatMessage[];
  /** Ask for a validated object (`generateObject`) instead of text. */
  schema?: SchemaInput;
}

export interface BatchOptions {
  /** Items in flight at most; default 8. Adaptive: halves on a 429, then grows back by one per round. */
  concurrency?: number;
  /** Requests started per minute at most (a token bucket). */
  rpm?: number;
  /** Tokens per minute at most, counted before sending: input tokens plus `maxTokens`. */
  tpm?: number;
  /** Retries of one item after its first attempt, on retryable errors; default 3. */
  maxRetries?: number;
  /** Aborts everything: in-flight calls are cancelled, the rest is skipped (`skipped: 'aborted'`). */
  signal?: AbortSignal;
  /** Stops starting items; in-flight ones finish. The rest is skipped (`skipped: 'stopped'`). */
  stopSignal?: AbortSignal;
  /** Called after every finished item (and once at the start), for progress displays. */
  onProgress?: (progress: BatchProgress) => void;
  /**
   * Called with each finished item before it counts as done (and before `onProgress`); awaited.
   * Items skipped without running (stop, abort, a budget stop) are not passed here.
   * The CLI appends the item to its journal here. A throw stops the batch and rejects it.
   */
  onResult?: (result: BatchResult) => void | Promise<void>;
  /** Default call options, under each item's own. */
  defaults?: Omit<BatchItem, 'id' | 'prompt' | 'messages'>;
}

export type BatchValue = GenerateResult | ObjectResult<unknown>;

export type BatchResult =
  | { ok: true; id: string; index: number; value: BatchValue; attempts: number }
  | {
      ok: false;
      id: string;
      index: number;
      error: LlmkitError;
      attempts: number;
      /** Never sent, or not finished: a budget refused the batch, it was stopped, or aborted. */
      skipped?: 'budget' | 'stopped' | 'aborted';
    };

export interface BatchProgress {
  total: number;
  /** Finished items, skipped ones excluded. */
  done: number;
  ok: number;
  failed: number;
  skipped: number;
  inFlight: number;
  /** The adaptive concurrency limit right now. */
  concurrency: number;
  totalTokens: number;
  /** Integer nano-dollars over the finished items (unpriced ones count 0). */
  costNanos: number;
  elapsedMs: number;
  /** Finished items per minute so far. */
  ratePerMinute: number;
  /** Estimated time to finish the rest at that rate; undefined before the first item. */
  etaMs: number | undefined;
  /** Set once scheduling stopped, and why. */
  stopped?: 'budget' | 'stopped' | 'aborted';
}
