import type { Logger } from 'pino';
import type { CallOptions } from '../client/call-options.js';
import { UsageError } from '../errors/index.js';
import { type OutputAttempt, StructuredOutputError } from '../errors/output-errors.js';
import type { GenerateResult } from '../pipeline/call-context.js';
import { sumUsage } from '../pipeline/sum-usage.js';
import type { StructuredOutputMode } from '../providers/provider.js';
import type { ChatMessage, Usage } from '../providers/types.js';
import { functionName } from '../tools/tool.js';
import {
  type ObjectMode,
  type ObjectPlan,
  objectRequest,
  objectText,
  planObject,
  repairMessages,
} from './object-plan.js';
import { type InferSchema, type SchemaInput, toObjectSchema } from './object-schema.js';
import { parseObject } from './parse-object.js';

/** Options of `generateObject` and `streamObject`: a call's options plus the schema and how to ask. */
export interface ObjectOptions<S extends SchemaInput>
  extends Omit<CallOptions, 'tools' | 'toolChoice' | 'parallelToolCalls' | 'responseFormat' | 'n'> {
  schema: S;
  /** A user message; or give `messages`. */
  prompt?: string;
  messages?: ChatMessage[];
  /** Name of the schema or the forced tool (letters, digits, `_`, `-`); default `response`. */
  name?: string;
  /** What the object is, for the model. */
  description?: string;
  /** `auto` (default) picks the provider's strongest mechanism; name one to force it. */
  mode?: ObjectMode;
  /** Attempts in all, the first included, before `StructuredOutputError`; default 3. */
  maxAttempts?: number;
}

export interface ObjectResult<T> {
  object: T;
  /** The raw JSON text of the attempt that validated. */
  text: string;
  mode: StructuredOutputMode;
  /** How many attempts were made (each is a call in the ledger). */
  attempts: number;
  /** Fallbacks taken (provider cannot enforce the schema natively, strict mode off...). */
  warnings: string[];
  /** Every attempt's result, in order; the last one validated. */
  results: GenerateResult[];
  /** Tokens over every attempt. */
  usage: Usage;
  /** USD over every attempt; null when the model has no known price. */
  cost: number | null;
  costNanos: number | null;
}

/** What the object loop needs from the client: one call, and what the target supports. */
export interface ObjectCaller {
  generate(messages: ChatMessage[], options: CallOptions): Promise<GenerateResult>;
  target(model: string | undefined): { label: string; supported: StructuredOutputMode };
  logger: Logger;
}

/** Checks the options and decides the mechanism; throws `SchemaError`/`UsageError` before anything is sent. */
export function prepareObject<S extends SchemaInput>(caller: ObjectCaller, options: ObjectOptions<S>) {
  if (options.name !== undefined && !functionName.test(options.name)) {
    throw new UsageError(`generateObject name "${options.name}" is not allowed`, {
      hint: 'providers accept 1-64 letters, digits, _ and - as a schema or tool name',
    });
  }
  const schema = toObjectSchema(options.schema);
  const messages = objectMessages(options);
  // The system message joins the conversation here, so json_object's instruction can merge into it.
  if (options.system !== undefined) messages.unshift({ role: 'system', content: options.system });
  const target = caller.target(options.model);
  const plan = planObject({
    mode: options.mode,
    supported: target.supported,
    target: target.label,
    jsonSchema: schema.jsonSchema,
    name: options.name,
    description: options.description,
  });
  for (const warning of plan.warnings)
    caller.logger.warn({ event: 'structured-output', mode: plan.mode }, warning);
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new UsageError(`maxAttempts must be a whole number >= 1, got ${maxAttempts}`, {
      hint: 'pass maxAttempts: 1 for no repair, 3 (the default) or more',
    });
  }
  return { schema, messages, plan, maxAttempts, callOptions: callOptionsOf(options) };
}

export async function generateObject<S extends SchemaInput>(
  caller: ObjectCaller,
  options: ObjectOptions<S>,
): Promise<ObjectResult<InferSchema<S>>> {
  const { schema, plan, maxAttempts, callOptions, messages: first } = prepareObject(caller, options);
  let messages = first;
  const attempts: OutputAttempt[] = [];
  const results: GenerateResult[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const request = objectRequest(plan, messages);
    const { messages: sent, ...fields } = request;
    const result = await caller.generate(sent, { ...callOptions, ...fields });
    results.push(result);
    const text = objectText(plan, result);
    const parsed = parseObject(text, schema, result.finishReason);
    if (parsed.success) return objectResult(parsed.value, text, plan, results);
    attempts.push({ text, issues: parsed.issues, requestId: result.requestId });
    logRepair(caller.logger, plan, result, attempt, maxAttempts, parsed.issues.length);
    messages = [...messages, ...repairMessages(plan, result, parsed.issues)];
  }
  throw failure(plan, attempts, results);
}

export function objectMessages(options: { prompt?: string; messages?: ChatMessage[] }): ChatMessage[] {
  if (options.prompt !== undefined && options.messages !== undefined) {
    throw new UsageError('generateObject got both prompt and messages', {
      hint: 'pass prompt for one user message, or messages for a conversation, not both',
    });
  }
  if (options.messages) return [...options.messages];
  if (options.prompt !== undefined) return [{ role: 'user', content: options.prompt }];
  throw new UsageError('generateObject got neither prompt nor messages', {
    hint: 'pass prompt: "..." or messages: [{ role: "user", content: "..." }]',
  });
}

function callOptionsOf<S extends SchemaInput>(options: ObjectOptions<S>): CallOptions {
  const { schema, prompt, messages, name, description, mode, maxAttempts, system, ...rest } = options;
  return rest;
}

export function objectResult<T>(
  object: T,
  text: string,
  plan: ObjectPlan,
  results: GenerateResult[],
): ObjectResult<T> {
  const { usage, costNanos } = sumUsage(results);
  return {
    object,
    text,
    mode: plan.mode,
    attempts: results.length,
    warnings: plan.warnings,
    results,
    usage,
    costNanos,
    cost: costNanos === null ? null : costNanos / 1e9,
  };
}

export function logRepair(
  logger: Logger,
  plan: ObjectPlan,
  result: GenerateResult,
  attempt: number,
  maxAttempts: number,
  issues: number,
): void {
  logger.info(
    { event: 'structured-output', requestId: result.requestId, mode: plan.mode, attempt, issues },
    attempt < maxAttempts
      ? `structured output attempt ${attempt} did not validate (${issues} issue(s)); asking again`
      : `structured output attempt ${attempt} did not validate (${issues} issue(s)); giving up`,
  );
}

export function failure(
  plan: ObjectPlan,
  attempts: OutputAttempt[],
  results: GenerateResult[],
): StructuredOutputError {
  const last = attempts.at(-1);
  const first = last?.issues[0];
  const more = (last?.issues.length ?? 0) > 1 ? ` (+${(last?.issues.length ?? 1) - 1} more)` : '';
  const result = results.at(-1);
  return new StructuredOutputError(
    `no valid object after ${attempts.length} attempt(s) with ${plan.mode}: ${first ? `${first.path}: ${first.message}` : 'no output'}${more}`,
    attempts,
    { provider: result?.provider, model: result?.model },
  );
}
