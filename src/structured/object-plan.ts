import type { OutputIssue } from '../errors/output-errors.js';
import type { GenerateResult } from '../pipeline/call-context.js';
import type { StructuredOutputMode } from '../providers/provider.js';
import type { ChatMessage, ModelRequest } from '../providers/types.js';
import type { JsonSchema } from './object-schema.js';
import { strictSchemaIssue } from './strict-schema.js';

/** How one `generateObject` call asks for JSON, decided once before the first attempt. */
export interface ObjectPlan {
  mode: StructuredOutputMode;
  /** Name of the schema (json_schema) or of the forced tool (tool). */
  name: string;
  description: string | undefined;
  jsonSchema: JsonSchema;
  /** json_schema only: whether the provider is asked to enforce the schema exactly. */
  strict: boolean;
  /** Fallbacks taken, one line each; logged as warnings and returned with the result. */
  warnings: string[];
}

export type ObjectMode = 'auto' | StructuredOutputMode;

const modeWords: Record<StructuredOutputMode, string> = {
  json_schema: 'response_format json_schema',
  tool: 'a forced tool call',
  json_object: 'response_format json_object with the schema in the prompt',
};

/**
 * Picks the mechanism: the caller's `mode`, else the strongest the provider supports. When the
 * provider cannot enforce a JSON Schema natively, or the schema does not fit strict mode, the
 * fallback is named in a warning (not an error: llmkit still validates and repairs).
 */
export function planObject(options: {
  mode: ObjectMode | undefined;
  supported: StructuredOutputMode;
  target: string;
  jsonSchema: JsonSchema;
  name: string | undefined;
  description: string | undefined;
}): ObjectPlan {
  const warnings: string[] = [];
  const mode = options.mode === undefined || options.mode === 'auto' ? options.supported : options.mode;
  if ((options.mode === undefined || options.mode === 'auto') && mode !== 'json_schema') {
    warnings.push(
      `${options.target} cannot enforce a JSON Schema natively; using ${modeWords[mode]}, and llmkit validates the answer`,
    );
  }
  let strict = false;
  if (mode === 'json_schema') {
    const issue = strictSchemaIssue(options.jsonSchema);
    strict = issue === undefined;
    if (issue)
      warnings.push(`the schema is sent with strict: false because ${issue}; llmkit validates the answer`);
  }
  return {
    mode,
    name: options.name ?? 'response',
    description: options.description,
    jsonSchema: options.jsonSchema,
    strict,
    warnings,
  };
}

/** The request fields of one attempt: the mechanism's parameters and, for json_object, the schema as an instruction. */
export function objectRequest(
  plan: ObjectPlan,
  messages: ChatMessage[],
): Pick<ModelRequest, 'messages' | 'responseFormat' | 'tools' | 'toolChoice'> {
  switch (plan.mode) {
    case 'json_schema':
      return {
        messages,
        responseFormat: {
          type: 'json_schema',
          json_schema: {
            name: plan.name,
            ...(plan.description ? { description: plan.description } : {}),
            schema: plan.jsonSchema,
            strict: plan.strict,
          },
        },
      };
    case 'tool':
      return {
        messages,
        tools: [
          {
            type: 'function',
            function: {
              name: plan.name,
              description: plan.description ?? 'Record the answer in this exact structure.',
              parameters: plan.jsonSchema,
            },
          },
        ],
        toolChoice: { type: 'function', function: { name: plan.name } },
      };
    case 'json_object':
      return {
        // The instruction also carries the word "JSON", which some providers require for json_object.
        messages: withInstruction(messages, schemaInstruction(plan)),
        responseFormat: { type: 'json_object' },
      };
  }
}

/** Appends to a leading string system message, else adds one: some models accept only one system message. */
function withInstruction(messages: ChatMessage[], instruction: string): ChatMessage[] {
  const first = messages[0];
  if (first?.role === 'system' && typeof first.content === 'string') {
    return [{ ...first, content: `${first.content}\n\n${instruction}` }, ...messages.slice(1)];
  }
  return [{ role: 'system', content: instruction }, ...messages];
}

function schemaInstruction(plan: ObjectPlan): string {
  const about = plan.description ? ` It is ${plan.description}.` : '';
  return `Answer with one JSON value that conforms to this JSON Schema, and nothing else: no prose, no Markdown fences.${about}\nJSON Schema:\n${JSON.stringify(plan.jsonSchema)}`;
}

/** The JSON text an attempt produced: the forced tool's arguments, else the message text. */
export function objectText(plan: ObjectPlan, result: GenerateResult): string {
  if (plan.mode === 'tool') {
    const call = result.toolCalls.find((entry) => entry.function.name === plan.name) ?? result.toolCalls[0];
    if (call) return call.function.arguments;
  }
  return result.text;
}

/**
 * The messages that ask for a corrected answer: the attempt as the model gave it, then the
 * issues. A tool attempt gets them as the tool's result, the shape models are trained on.
 */
export function repairMessages(
  plan: ObjectPlan,
  result: GenerateResult,
  issues: OutputIssue[],
): ChatMessage[] {
  const list = issues.map((issue) => `- ${issue.path}: ${issue.message}`).join('\n');
  if (plan.mode === 'tool' && result.toolCalls.length > 0) {
    // Every call in the assistant message needs its tool message, or the provider rejects the turn.
    return [
      result.message,
      ...result.toolCalls.map(
        (call, index): ChatMessage => ({
          role: 'tool',
          tool_call_id: call.id,
          content:
            index === 0
              ? `The arguments do not match the schema:\n${list}\nCall ${plan.name} again with corrected arguments.`
              : 'Ignored: call only one tool.',
        }),
      ),
    ];
  }
  return [
    { role: 'assistant', content: result.text },
    {
      role: 'user',
      content: `Your answer does not match the required JSON Schema:\n${list}\nAnswer again with only the corrected JSON.`,
    },
  ];
}
