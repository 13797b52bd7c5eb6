import type { Logger } from 'pino';
import type { LlmkitConfig } from '../config/config-schema.js';
import type { GenerateResult } from '../pipeline/call-context.js';
import type { Provider } from '../providers/provider.js';
import type { ObjectStreamCaller } from '../structured/stream-object.js';
import type { CallOptions, Prompt } from './call-options.js';
import type { LlmStream } from './llm-stream.js';

/** What `generateObject`/`streamObject` need of a client: calls, and each target's structured-output mode. */
export function objectCaller(services: {
  generate: (prompt: Prompt, options: CallOptions) => Promise<GenerateResult>;
  stream: (prompt: Prompt, options: CallOptions) => LlmStream;
  planTarget: (model: string | undefined) => { provider: string; model: string };
  settings: LlmkitConfig;
  customProviders: ReadonlyMap<string, Provider>;
  logger: Logger;
}): ObjectStreamCaller {
  return {
    generate: services.generate,
    stream: services.stream,
    target: (model) => {
      const { provider, model: id } = services.planTarget(model);
      const supported =
        services.settings.providers[provider]?.structuredOutput ??
        services.customProviders.get(provider)?.structuredOutput ??
        'json_object';
      return { label: `${provider}/${id}`, supported };
    },
    logger: services.logger,
  };
}
