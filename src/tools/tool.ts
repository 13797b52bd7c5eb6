import { UsageError } from '../errors/index.js';
import type { ChatMessage, ToolDefinition } from '../providers/types.js';
import { type InferSchema, type SchemaInput, toObjectSchema } from '../structured/object-schema.js';

/** What a tool's `execute` receives besides its arguments. */
export interface ToolContext {
  /** The id the model gave this call; its result goes back under it. */
  toolCallId: string;
  /** The conversation up to the assistant message that made the call. */
  messages: ChatMessage[];
  /** Aborts when the call is aborted or times out; pass it to your own I/O. */
  signal: AbortSignal;
}

/**
 * A tool the model may call. `parameters` is a zod schema (typed `args`) or a JSON Schema; the
 * arguments are validated before `execute` runs. Without `execute` the call is returned to you.
 */
export interface Tool<P extends SchemaInput = SchemaInput, R = unknown> {
  description?: string;
  parameters: P;
  execute?: (args: InferSchema<P>, context: ToolContext) => R | Promise<R>;
}

/** Tools by name, as `generate(prompt, { tools })` takes them. */
// biome-ignore lint/suspicious/noExplicitAny: each tool has its own argument type; `any` lets a record hold them all.
export type ToolSet = Record<string, Tool<any, any>>;

/** Declares a tool with its argument type inferred from `parameters`, e.g. `tool({ parameters: z.object(...), execute })`. */
export function tool<P extends SchemaInput, R>(definition: Tool<P, R>): Tool<P, R> {
  return definition;
}

/** A tool set (the object form) rather than raw wire definitions (the array form). */
export function isToolSet(tools: unknown): tools is ToolSet {
  return typeof tools === 'object' && tools !== null && !Array.isArray(tools);
}

/** What providers accept as a function (tool) or schema name. */
export const functionName = /^[A-Za-z0-9_-]{1,64}$/;

/** The wire definitions of a tool set; a bad name or schema throws before anything is sent. */
export function toolDefinitions(tools: ToolSet): ToolDefinition[] {
  return Object.entries(tools).map(([name, entry]) => {
    if (!functionName.test(name)) {
      throw new UsageError(`tool name "${name}" is not allowed`, {
        hint: 'providers accept 1-64 letters, digits, _ and -; rename the tool',
      });
    }
    const { jsonSchema } = toObjectSchema(entry.parameters);
    return {
      type: 'function',
      function: {
        name,
        ...(entry.description ? { description: entry.description } : {}),
        parameters: jsonSchema,
      },
    };
  });
}
