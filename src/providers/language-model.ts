import type { ModelCallOptions, ModelRequest, ModelResponse, StreamPart } from './types.js';

/**
 * The provider contract, version 1. An adapter turns a `ModelRequest` into the provider's wire
 * format and back, and classifies failures as typed `LlmkitError`s with `retryable` set. It does
 * not retry, time out, log or bill: those are pipeline steps, the same for every provider.
 */
export interface LanguageModelV1 {
  readonly specificationVersion: 'v1';
  /** Provider name as configured (`deepseek`), used in logs, errors and the ledger. */
  readonly provider: string;
  readonly modelId: string;
  generate(request: ModelRequest, options: ModelCallOptions): Promise<ModelResponse>;
  /**
   * Resolves once response headers arrived with a success status (so HTTP errors reject here,
   * where they can still be retried); the stream then yields parts until the upstream finishes.
   * A broken stream errors with `StreamInterruptedError` or the upstream's typed error.
   */
  stream(request: ModelRequest, options: ModelCallOptions): Promise<ReadableStream<StreamPart>>;
}

export type LanguageModel = LanguageModelV1;
