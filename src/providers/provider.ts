import type { LanguageModelV1 } from './language-model.js';
import type { ModelCallOptions } from './types.js';

export interface ModelInfo {
  id: string;
  ownedBy?: string;
}

/**
 * How a provider can be made to answer in JSON, strongest first: `json_schema` enforces a schema
 * (OpenAI structured outputs), `tool` forces a call of a tool whose parameters are the schema,
 * `json_object` only guarantees valid JSON (the schema goes in the prompt).
 */
export type StructuredOutputMode = 'json_schema' | 'tool' | 'json_object';

/** A configured provider: a factory of models plus what `llmkit doctor` needs to probe it. */
export interface Provider {
  readonly name: string;
  /** The strongest structured-output mechanism it supports; `json_object` when unset. */
  readonly structuredOutput?: StructuredOutputMode;
  languageModel(modelId: string): LanguageModelV1;
  /** Lists the models the upstream serves; also proves the key authenticates. */
  listModels(options?: ModelCallOptions): Promise<ModelInfo[]>;
}
