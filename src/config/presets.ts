import type { StructuredOutputMode } from '../providers/provider.js';

/**
 * Every provider llmkit knows by name. Each one speaks the OpenAI chat format, so a preset is
 * only data: where the API lives, which variable holds the key and how the key is sent. The
 * rest of the code reads these fields and never branches on a provider's name.
 */
export interface Preset {
  /** One line for `llmkit config check`, `llmkit doctor` and the docs. */
  description: string;
  baseURL: string;
  /** Variable that overrides `baseURL`, named like the provider's own SDK reads it. */
  baseURLEnv: string;
  /** Turns the `baseURLEnv` value into a base URL when the variable holds something else (an endpoint). */
  baseURLFromEnv?: (value: string) => string;
  /** Variable holding the API key. */
  apiKeyEnv: string;
  /** Local servers accept any key or none, so a missing key is not an error for them. */
  apiKeyRequired: boolean;
  authHeader: 'authorization' | 'api-key';
  query?: Readonly<Record<string, string>>;
  /** Query parameters that environment variables override, first set variable wins. */
  queryEnv?: Readonly<Record<string, readonly string[]>>;
  /** A few model ids that work with this provider, as examples. */
  models: readonly string[];
  /** Its own model ids contain `/` (`anthropic/claude-3.5-sonnet`), so an unknown prefix is part of the id. */
  slashedModelIds?: boolean;
  /**
   * The strongest way the provider enforces a JSON answer, as its docs describe it: `json_schema`
   * (response_format with a schema), `tool` (a forced tool call), or `json_object` (valid JSON only).
   */
  structuredOutput: StructuredOutputMode;
}

export const structuredOutputModes = [
  'json_schema',
  'tool',
  'json_object',
] as const satisfies readonly StructuredOutputMode[];

const azureDeploymentPath = '/openai/deployments/{model}';

export const presets = {
  openai: {
    description: 'OpenAI API',
    baseURL: 'https://api.openai.com/v1',
    baseURLEnv: 'OPENAI_BASE_URL',
    apiKeyEnv: 'OPENAI_API_KEY',
    apiKeyRequired: true,
    authHeader: 'authorization',
    structuredOutput: 'json_schema',
    models: ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini'],
  },
  'azure-openai': {
    description: 'Azure OpenAI; the model name is the deployment name',
    // Placeholder until AZURE_OPENAI_ENDPOINT or baseURL is set, so the report shows what is missing.
    baseURL: `https://YOUR-RESOURCE.openai.azure.com${azureDeploymentPath}`,
    baseURLEnv: 'AZURE_OPENAI_ENDPOINT',
    // The official SDK reads the resource endpoint, not a base URL, from this variable.
    baseURLFromEnv: (endpoint: string) => `${endpoint.replace(/\/+$/, '')}${azureDeploymentPath}`,
    apiKeyEnv: 'AZURE_OPENAI_API_KEY',
    apiKeyRequired: true,
    authHeader: 'api-key',
    structuredOutput: 'json_schema',
    query: { 'api-version': '2024-10-21' },
    queryEnv: { 'api-version': ['OPENAI_API_VERSION', 'AZURE_OPENAI_API_VERSION'] },
    models: ['gpt-4o-mini', 'gpt-4o'],
  },
  deepseek: {
    description: 'DeepSeek',
    baseURL: 'https://api.deepseek.com/v1',
    baseURLEnv: 'DEEPSEEK_BASE_URL',
    apiKeyEnv: 'DEEPSEEK_API_KEY',
    apiKeyRequired: true,
    authHeader: 'authorization',
    structuredOutput: 'tool',
    models: ['deepseek-chat', 'deepseek-reasoner'],
  },
  dashscope: {
    description: 'Alibaba Cloud DashScope (Qwen), OpenAI compatible mode',
    baseURL: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    baseURLEnv: 'DASHSCOPE_BASE_URL',
    apiKeyEnv: 'DASHSCOPE_API_KEY',
    apiKeyRequired: true,
    authHeader: 'authorization',
    structuredOutput: 'json_object',
    models: ['qwen-plus', 'qwen-max', 'qwen-turbo'],
  },
  moonshot: {
    description: 'Moonshot AI (Kimi)',
    baseURL: 'https://api.moonshot.cn/v1',
    baseURLEnv: 'MOONSHOT_BASE_URL',
    apiKeyEnv: 'MOONSHOT_API_KEY',
    apiKeyRequired: true,
    authHeader: 'authorization',
    structuredOutput: 'json_object',
    models: ['moonshot-v1-8k', 'moonshot-v1-32k', 'kimi-latest'],
  },
  zhipu: {
    description: 'Zhipu AI (GLM)',
    baseURL: 'https://open.bigmodel.cn/api/paas/v4',
    baseURLEnv: 'ZHIPUAI_BASE_URL',
    apiKeyEnv: 'ZHIPUAI_API_KEY',
    apiKeyRequired: true,
    authHeader: 'authorization',
    structuredOutput: 'json_object',
    models: ['glm-4-plus', 'glm-4-flash'],
  },
  siliconflow: {
    description: 'SiliconFlow, hosted open models',
    baseURL: 'https://api.siliconflow.cn/v1',
    baseURLEnv: 'SILICONFLOW_BASE_URL',
    apiKeyEnv: 'SILICONFLOW_API_KEY',
    apiKeyRequired: true,
    authHeader: 'authorization',
    structuredOutput: 'json_object',
    models: ['deepseek-ai/DeepSeek-V3', 'Qwen/Qwen2.5-72B-Instruct'],
    slashedModelIds: true,
  },
  openrouter: {
    description: 'OpenRouter, one key for many providers; model ids are vendor/model',
    baseURL: 'https://openrouter.ai/api/v1',
    baseURLEnv: 'OPENROUTER_BASE_URL',
    apiKeyEnv: 'OPENROUTER_API_KEY',
    apiKeyRequired: true,
    authHeader: 'authorization',
    structuredOutput: 'json_schema',
    models: ['openai/gpt-4o-mini', 'anthropic/claude-3.5-sonnet', 'deepseek/deepseek-chat'],
    slashedModelIds: true,
  },
  ollama: {
    description: 'Ollama on this machine',
    baseURL: 'http://127.0.0.1:11434/v1',
    baseURLEnv: 'OLLAMA_BASE_URL',
    apiKeyEnv: 'OLLAMA_API_KEY',
    apiKeyRequired: false,
    authHeader: 'authorization',
    structuredOutput: 'json_schema',
    models: ['llama3.2', 'qwen2.5'],
  },
  vllm: {
    description: 'vLLM OpenAI-compatible server on this machine',
    baseURL: 'http://127.0.0.1:8000/v1',
    baseURLEnv: 'VLLM_BASE_URL',
    apiKeyEnv: 'VLLM_API_KEY',
    apiKeyRequired: false,
    authHeader: 'authorization',
    structuredOutput: 'json_schema',
    models: ['meta-llama/Llama-3.1-8B-Instruct'],
  },
  llamacpp: {
    description: 'llama.cpp server on this machine; it serves whichever model it loaded',
    baseURL: 'http://127.0.0.1:8080/v1',
    baseURLEnv: 'LLAMACPP_BASE_URL',
    apiKeyEnv: 'LLAMACPP_API_KEY',
    apiKeyRequired: false,
    authHeader: 'authorization',
    structuredOutput: 'json_schema',
    models: ['default'],
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof presets;

export const presetNames = Object.keys(presets) as [PresetName, ...PresetName[]];

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(presets, name);
}

/** The preset as a plain `Preset`, so callers can read optional fields without narrowing. */
export function presetFor(name: PresetName): Preset {
  return presets[name];
}
