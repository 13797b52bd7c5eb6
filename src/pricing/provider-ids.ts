import type { PresetName } from '../config/presets.js';

/*
 * What genai-prices calls the provider behind each preset. Presets missing here have no
 * genai-prices data of their own (DashScope and SiliconFlow are absent from it), and a
 * preset's prices are never guessed from another provider that happens to serve the model.
 */
export const genaiPricesProviderIds: Partial<Record<PresetName, string>> = {
  openai: 'openai',
  'azure-openai': 'azure',
  deepseek: 'deepseek',
  moonshot: 'moonshotai',
  zhipu: 'zhipuai',
  openrouter: 'openrouter',
};

/** Servers on the user's own machine: no API charge, so their calls cost 0 unless the config prices them. */
export const selfHostedPresets: ReadonlySet<PresetName> = new Set<PresetName>(['ollama', 'vllm', 'llamacpp']);
