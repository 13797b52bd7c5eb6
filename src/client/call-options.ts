import type { CacheRequest, KeyPolicy, Timeouts } from '../pipeline/call-context.js';
import type { ModelRequest } from '../providers/types.js';
import { isToolSet, type ToolSet, toolDefinitions } from '../tools/tool.js';

/** Options of one call. Anything unset falls back to the client's config. */
export interface CallOptions extends Omit<ModelRequest, 'messages' | 'tools'> {
  /**
   * Tools by name (`{ weather: { description, parameters: z.object(...), execute } }`): `generate`
   * runs the tool loop. Or raw wire definitions (an array), sent as they are.
   */
  tools?: ModelRequest['tools'] | ToolSet;
  /** With a tool set: model calls in all before the loop stops; default 5. */
  maxSteps?: number;
  /** `provider/model`, an alias, or a bare model of the default provider. */
  model?: string;
  /** A system message put before the conversation. */
  system?: string;
  signal?: AbortSignal;
  /** Extra HTTP headers for this call. */
  headers?: Record<string, string>;
  maxRetries?: number;
  timeouts?: Partial<Timeouts>;
  /** Ledger dimensions: usage reports group by tag and project. */
  tags?: string[];
  project?: string;
  /** Answer from (and store in) the response cache: `true`, `{ ttlSeconds }`, or `false` to bypass it. */
  cache?: CacheRequest;
  /** The caller's own rate limits and budget (the gateway passes each key's). */
  key?: KeyPolicy;
}

export type Prompt = string | ModelRequest['messages'];

const requestKeys = [
  'temperature',
  'topP',
  'maxTokens',
  'maxCompletionTokens',
  'stop',
  'seed',
  'n',
  'user',
  'presencePenalty',
  'frequencyPenalty',
  'tools',
  'toolChoice',
  'parallelToolCalls',
  'responseFormat',
  'extraBody',
] as const satisfies ReadonlyArray<keyof ModelRequest>;

export function buildRequest(prompt: Prompt, options: CallOptions): ModelRequest {
  const messages: ModelRequest['messages'] =
    typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : [...prompt];
  if (options.system !== undefined) messages.unshift({ role: 'system', content: options.system });
  const request: ModelRequest = { messages };
  for (const key of requestKeys) {
    if (options[key] !== undefined) (request as unknown as Record<string, unknown>)[key] = options[key];
  }
  if (isToolSet(options.tools)) request.tools = toolDefinitions(options.tools);
  return request;
}
