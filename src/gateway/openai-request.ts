import { z } from 'zod';
import type { CallOptions, Prompt } from '../client/call-options.js';
import type { ChatMessage, ModelRequest } from '../providers/types.js';

/*
 * The body of `POST /v1/chat/completions`, as OpenAI documents it. Known fields are checked
 * (a bad one is a 400 naming it); fields llmkit does not model (`logprobs`, `reasoning_effort`,
 * provider extensions...) pass through to the upstream untouched, as they would with OpenAI.
 */

const number = (name: string) => z.number({ error: `${name} must be a number` });
const whole = (name: string, min: number) =>
  z
    .number({ error: `${name} must be a whole number >= ${min}` })
    .int({ error: `${name} must be a whole number >= ${min}` })
    .min(min, { error: `${name} must be a whole number >= ${min}` });

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const contentError = 'must be a string or a list of content parts';
const toolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const message = z.discriminatedUnion(
  'role',
  [
    z.object({
      role: z.enum(['system', 'developer']),
      content: z.union([z.string(), z.array(textPart)], { error: contentError }),
      name: z.string().optional(),
    }),
    z.object({
      role: z.literal('user'),
      content: z.union([z.string(), z.array(z.union([textPart, imagePart]))], { error: contentError }),
      name: z.string().optional(),
    }),
    z.object({
      role: z.literal('assistant'),
      content: z.union([z.string(), z.array(textPart), z.null()], { error: contentError }).optional(),
      name: z.string().optional(),
      tool_calls: z.array(toolCall).optional(),
      refusal: z.string().nullable().optional(),
    }),
    z.object({
      role: z.literal('tool'),
      content: z.union([z.string(), z.array(textPart)], { error: contentError }),
      tool_call_id: z.string({ error: 'must be the id of the tool call it answers' }),
    }),
  ],
  { error: 'role must be one of system, developer, user, assistant, tool' },
);

const tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string({ error: 'must be a string' }),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const responseFormat = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    z.object({
      type: z.literal('json_schema'),
      json_schema: z.object({
        name: z.string({ error: 'must be a string' }),
        description: z.string().optional(),
        schema: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullable().optional(),
      }),
    }),
  ],
  { error: 'type must be one of text, json_object, json_schema' },
);

export function chatRequestSchema(maxChoices: number) {
  return z.looseObject({
    model: z
      .string({ error: 'is required: the model or route to call' })
      .min(1, { error: 'must not be empty' }),
    messages: z
      .array(message, { error: 'is required: a list of messages' })
      .min(1, { error: 'must hold at least one message' }),
    stream: z.boolean({ error: 'must be true or false' }).nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
    temperature: number('temperature').min(0).max(2).nullish(),
    top_p: number('top_p').min(0).max(1).nullish(),
    n: whole('n', 1)
      .max(maxChoices, { error: `n must be at most ${maxChoices} on this gateway (gateway.maxChoices)` })
      .nullish(),
    max_tokens: whole('max_tokens', 1).nullish(),
    max_completion_tokens: whole('max_completion_tokens', 1).nullish(),
    stop: z
      .union([z.string(), z.array(z.string()).max(4)], { error: 'must be a string or up to 4 strings' })
      .nullish(),
    seed: z.number().int({ error: 'must be a whole number' }).nullish(),
    user: z.string({ error: 'must be a string' }).nullish(),
    presence_penalty: number('presence_penalty').min(-2).max(2).nullish(),
    frequency_penalty: number('frequency_penalty').min(-2).max(2).nullish(),
    tools: z.array(tool, { error: 'must be a list of function tools' }).nullish(),
    tool_choice: z
      .union([
        z.enum(['none', 'auto', 'required']),
        z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
      ])
      .nullish(),
    parallel_tool_calls: z.boolean({ error: 'must be true or false' }).nullish(),
    response_format: responseFormat.nullish(),
  });
}

export type ChatRequestBody = z.output<ReturnType<typeof chatRequestSchema>>;

// Fields the gateway reads itself; every other unknown field goes to the upstream as is.
const handled = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'temperature',
  'top_p',
  'n',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'seed',
  'user',
  'presence_penalty',
  'frequency_penalty',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
]);

/** The body as a call: the prompt and the options `LLMClient` takes. Nulls mean "not set". */
export function callFromBody(body: ChatRequestBody): { prompt: Prompt; options: CallOptions } {
  const options: CallOptions = { model: body.model };
  const set = <K extends Exclude<keyof ModelRequest, 'messages'>>(
    key: K,
    value: ModelRequest[K] | null | undefined,
  ) => {
    if (value !== null && value !== undefined) (options as ModelRequest)[key] = value;
  };
  set('temperature', body.temperature);
  set('topP', body.top_p);
  set('n', body.n);
  set('maxTokens', body.max_tokens);
  set('maxCompletionTokens', body.max_completion_tokens);
  set('stop', body.stop);
  set('seed', body.seed);
  set('user', body.user);
  set('presencePenalty', body.presence_penalty);
  set('frequencyPenalty', body.frequency_penalty);
  set('tools', body.tools as ModelRequest['tools']);
  set('toolChoice', body.tool_choice);
  set('parallelToolCalls', body.parallel_tool_calls);
  set('responseFormat', body.response_format as ModelRequest['responseFormat']);
  let extra: Record<string, unknown> | undefined;
  for (const key of Object.keys(body)) {
    if (handled.has(key) || key === '__proto__') continue;
    extra ??= {};
    extra[key] = body[key];
  }
  if (extra) options.extraBody = extra;
  return { prompt: body.messages as ChatMessage[], options };
}

/** `messages[0].role` from a zod issue path. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text;
}
