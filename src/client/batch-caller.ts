import type { BatchCaller } from '../batch/run-batch.js';
import type { GenerateResult } from '../pipeline/call-context.js';
import type { ObjectOptions, ObjectResult } from '../structured/generate-object.js';
import type { SchemaInput } from '../structured/object-schema.js';
import { countTokens } from '../tokens/index.js';
import { buildRequest, type CallOptions, type Prompt } from './call-options.js';

/** The client's side of `client.batch`: one attempt per item, and its token estimate. */
export function batchCaller(client: {
  generate(prompt: Prompt, options: CallOptions): Promise<GenerateResult>;
  generateObject(options: ObjectOptions<SchemaInput>): Promise<ObjectResult<unknown>>;
  planTarget(model: string | undefined): { provider: string; model: string };
  retry: BatchCaller['retry'];
}): BatchCaller {
  return {
    call: (item, signal) => {
      const { id: _id, prompt, messages, schema, ...rest } = item;
      // The runner retries (it must see every 429 to adapt), so the client's own retries are off.
      if (schema !== undefined) {
        return client.generateObject({
          ...rest,
          schema,
          ...(prompt === undefined ? { messages: messages ?? [] } : { prompt }),
          signal,
          maxRetries: 0,
        });
      }
      return client.generate(prompt ?? messages ?? '', { ...rest, signal, maxRetries: 0 });
    },
    estimateTokens: (item) => {
      const { provider, model } = client.planTarget(item.model);
      const { messages } = buildRequest(item.prompt ?? item.messages ?? '', { ...item, tools: undefined });
      const output = item.maxTokens ?? item.maxCompletionTokens ?? 0;
      return countTokens(messages, `${provider}/${model}`).tokens + output;
    },
    retry: client.retry,
  };
}
