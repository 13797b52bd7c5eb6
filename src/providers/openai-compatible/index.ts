export {
  createOpenAICompatibleProvider,
  type OpenAICompatibleSettings,
} from './openai-compatible-provider.js';
