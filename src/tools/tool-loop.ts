import type { Logger } from 'pino';
import type { CallOptions } from '../client/call-options.js';
import { AbortedError, TimeoutError, UsageError } from '../errors/index.js';
import type { GenerateResult } from '../pipeline/call-context.js';
import { sumUsage } from '../pipeline/sum-usage.js';
import type { ChatMessage, ToolCall, Usage } from '../providers/types.js';
import { type ObjectSchema, toObjectSchema } from '../structured/object-schema.js';
import { parseObject } from '../structured/parse-object.js';
import { type ToolSet, toolDefinitions } from './tool.js';

/** One executed tool call: what the model asked, what the tool returned or why it failed. */
export interface ToolResult {
  toolCallId: string;
  toolName: string;
  /** The parsed arguments, or the raw text when they did not parse. */
  args: unknown;
  /** What `execute` returned; absent when it failed. */
  result?: unknown;
  /** Why the call failed (bad arguments, unknown tool, the tool threw); sent to the model as the result. */
  error?: string;
  durationMs: number;
}

/** One model call of the loop and the tools it ran. */
export interface StepResult {
  step: number;
  /** llmkit's id of the step's call, matching its ledger row. */
  requestId: string;
  text: string;
  toolCalls: ToolCall[];
  toolResults: ToolResult[];
  finishReason: GenerateResult['finishReason'];
  usage: Usage | undefined;
  costNanos: number | null;
}

/** `generate` with a tool set: the last step's result, plus every step and the totals. */
export interface ToolLoopResult extends GenerateResult {
  steps: StepResult[];
  /** Tool calls the caller must handle: the model called a tool without `execute`, or `maxSteps` ran out. */
  pendingToolCalls: ToolCall[];
  /**
   * The whole conversation: your messages, then every assistant message and tool result of the
   * loop. To continue after `client-tool`, append a tool message for each pending call and pass
   * these messages to `generate` again.
   */
  messages: ChatMessage[];
  stopReason: 'done' | 'client-tool' | 'max-steps';
  /** Tokens over every step. */
  totalUsage: Usage;
  /** USD over every step; null when a step's model has no known price. */
  totalCost: number | null;
  totalCostNanos: number | null;
}

export interface ToolLoopOptions extends Omit<CallOptions, 'tools'> {
  tools: ToolSet;
  /** Model calls in all, the first included; default 5. */
  maxSteps?: number;
}

export interface ToolLoopLimits {
  /** The whole loop, tools and model calls, must end within this (`timeouts.totalMs`). */
  totalMs: number;
}

/**
 * The tool loop: call the model; when it calls tools that have `execute`, run them all at once,
 * send every result (an error becomes the result, so the model can react), and call again, up
 * to `maxSteps` calls. Each step is its own call through the pipeline, so it is retried, billed
 * and recorded in the ledger like any other.
 */
export async function runToolLoop(
  messages: ChatMessage[],
  options: ToolLoopOptions,
  call: (messages: ChatMessage[], options: CallOptions) => Promise<GenerateResult>,
  logger: Logger,
  limits: ToolLoopLimits,
): Promise<ToolLoopResult> {
  const { tools, maxSteps = 5, signal: callerSignal, ...callOptions } = options;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new UsageError(`maxSteps must be a whole number >= 1, got ${maxSteps}`, {
      hint: 'pass maxSteps: 1 to make one call and return the tool calls, or more to let tools run',
    });
  }
  const definitions = toolDefinitions(tools);
  const schemas = new Map<string, ObjectSchema>();
  for (const [name, entry] of Object.entries(tools)) schemas.set(name, toObjectSchema(entry.parameters));
  // One signal for the loop: the caller's abort or the total deadline stops model calls and tools alike.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutError('total', limits.totalMs)), limits.totalMs);
  const onCallerAbort = () => controller.abort(new AbortedError({ cause: callerSignal?.reason }));
  if (callerSignal?.aborted) onCallerAbort();
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    return await loop(
      messages,
      tools,
      definitions,
      schemas,
      maxSteps,
      callOptions,
      controller.signal,
      call,
      logger,
    );
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
  }
}

async function loop(
  messages: ChatMessage[],
  tools: ToolSet,
  definitions: ReturnType<typeof toolDefinitions>,
  schemas: Map<string, ObjectSchema>,
  maxSteps: number,
  callOptions: CallOptions,
  signal: AbortSignal,
  call: (messages: ChatMessage[], options: CallOptions) => Promise<GenerateResult>,
  logger: Logger,
): Promise<ToolLoopResult> {
  let conversation = [...messages];
  const steps: StepResult[] = [];
  for (let step = 1; ; step++) {
    const result = await call(conversation, { ...callOptions, signal, tools: definitions });
    const calls = result.toolCalls;
    const stepRecord: StepResult = {
      step,
      requestId: result.requestId,
      text: result.text,
      toolCalls: calls,
      toolResults: [],
      finishReason: result.finishReason,
      usage: result.usage,
      costNanos: result.costNanos,
    };
    steps.push(stepRecord);
    conversation = [...conversation, result.message];
    if (calls.length === 0) return loopResult(result, steps, [], 'done', conversation);
    if (step >= maxSteps) {
      logger.warn(
        { event: 'tool-loop', requestId: result.requestId, maxSteps },
        `the model still calls tools after maxSteps (${maxSteps}) calls; returning its tool calls unexecuted`,
      );
      return loopResult(result, steps, calls, 'max-steps', conversation);
    }
    // A known tool without `execute` is the caller's to run; everything else runs here.
    const clientCalls = calls.filter((entry) => {
      const known = ownTool(tools, entry.function.name);
      return known !== undefined && known.execute === undefined;
    });
    const runnable = calls.filter((entry) => !clientCalls.includes(entry));
    const context = { messages: conversation, signal };
    // Started together: parallel tool calls run concurrently.
    const ran = await Promise.all(
      runnable.map((entry) => runTool(entry, tools, schemas, context, result.requestId, logger)),
    );
    if (signal.aborted) throw signal.reason;
    stepRecord.toolResults = ran.map(({ content: _content, ...entry }) => entry);
    conversation = [
      ...conversation,
      ...ran.map(
        (entry): ChatMessage => ({ role: 'tool', tool_call_id: entry.toolCallId, content: entry.content }),
      ),
    ];
    if (clientCalls.length > 0) return loopResult(result, steps, clientCalls, 'client-tool', conversation);
  }
}

function ownTool(tools: ToolSet, name: string): ToolSet[string] | undefined {
  // Own keys only: a model calling `constructor` or `toString` must not reach Object.prototype.
  return Object.hasOwn(tools, name) ? tools[name] : undefined;
}

async function runTool(
  entry: ToolCall,
  tools: ToolSet,
  schemas: Map<string, ObjectSchema>,
  context: { messages: ChatMessage[]; signal: AbortSignal },
  requestId: string,
  logger: Logger,
): Promise<ToolResult & { content: string }> {
  const startedAt = performance.now();
  const name = entry.function.name;
  const base = { toolCallId: entry.id, toolName: name };
  const done = (fields: {
    args: unknown;
    result?: unknown;
    error?: string;
  }): ToolResult & { content: string } => {
    let content: string;
    try {
      content = toolContent(fields);
    } catch (error) {
      // A result JSON cannot carry (a BigInt, a cycle) is the tool's failure, reported to the model.
      fields = {
        args: fields.args,
        error: `the tool's result cannot be sent as JSON: ${(error as Error).message}`,
      };
      content = toolContent(fields);
    }
    const outcome = { ...base, ...fields, content, durationMs: Math.round(performance.now() - startedAt) };
    logger.info(
      {
        event: 'tool',
        requestId,
        tool: name,
        toolCallId: entry.id,
        status: fields.error === undefined ? 'ok' : 'error',
        durationMs: outcome.durationMs,
        ...(fields.error === undefined ? {} : { error: fields.error }),
      },
      fields.error === undefined
        ? `tool ${name} ran`
        : `tool ${name} failed; the error goes back to the model`,
    );
    return outcome;
  };
  const definition = ownTool(tools, name);
  const schema = schemas.get(name);
  if (!definition?.execute || !schema) {
    return done({
      args: entry.function.arguments,
      error: `there is no tool named "${name}"; the tools are ${Object.keys(tools).join(', ')}`,
    });
  }
  const parsed = parseObject(entry.function.arguments || '{}', schema, 'tool_calls');
  if (!parsed.success) {
    const issues = parsed.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return done({ args: entry.function.arguments, error: `invalid arguments: ${issues}` });
  }
  try {
    const value = await definition.execute(parsed.value, { toolCallId: entry.id, ...context });
    return done({ args: parsed.value, result: value });
  } catch (error) {
    return done({ args: parsed.value, error: error instanceof Error ? error.message : String(error) });
  }
}

/** What the model reads as the tool's result: strings as they are, anything else as JSON. */
function toolContent(entry: { result?: unknown; error?: string }): string {
  if (entry.error !== undefined) return JSON.stringify({ error: entry.error });
  if (typeof entry.result === 'string') return entry.result;
  return JSON.stringify(entry.result ?? null);
}

function loopResult(
  last: GenerateResult,
  steps: StepResult[],
  pending: ToolCall[],
  stopReason: ToolLoopResult['stopReason'],
  messages: ChatMessage[],
): ToolLoopResult {
  const { usage: totalUsage, costNanos: totalCostNanos } = sumUsage(steps);
  return {
    ...last,
    steps,
    pendingToolCalls: pending,
    messages,
    stopReason,
    totalUsage,
    totalCostNanos,
    totalCost: totalCostNanos === null ? null : totalCostNanos / 1e9,
  };
}
