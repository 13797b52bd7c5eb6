import type { LanguageModelV1 } from './language-model.js';
import type { ModelCallOptions } from './types.js';

export interface ModelInfo {
  id: string;
  ownedBy?: string;
}

/** A configured provider: a factory of models plus what `llmkit doctor` needs to probe it. */
export interface Provider {
  readonly name: string;
  languageModel(modelId: string): LanguageModelV1;
  /** Lists the models the upstream serves; also proves the key authenticates. */
  listModels(options?: ModelCallOptions): Promise<ModelInfo[]>;
}
