import type { ToolDefinition } from '../providers/types.js';
import { countTextTokens } from './count-text-tokens.js';
import type { Encoding } from './encoding-for.js';

/**
 * OpenAI renders `tools` into a hidden system section whose exact text is not published. These
 * constants are the ones OpenAI's cookbook fitted against the API's reported usage ("How to
 * count tokens with tiktoken", section 7, `num_tokens_for_tools`); with them the cookbook's
 * weather tool plus two messages counts 101 tokens on gpt-4o and 105 on gpt-4, as the API
 * reports. `functionStart` is the only one that differs between the two vocabularies.
 */
const recipe = {
  functionStart: { o200k_base: 7, cl100k_base: 10 } satisfies Record<Encoding, number>,
  propertiesStart: 3,
  property: 3,
  enumStart: -3,
  enumItem: 3,
  toolsEnd: 12,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The recipe drops one trailing period from descriptions, as the rendering evidently does.
const withoutFinalPeriod = (text: string) => (text.endsWith('.') ? text.slice(0, -1) : text);

function textOf(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function propertyTokens(name: string, schema: unknown, encoding: Encoding): number {
  const { type, description, enum: values, ...rest } = isRecord(schema) ? schema : {};
  let tokens = recipe.property;
  if (Array.isArray(values)) {
    tokens += recipe.enumStart;
    for (const value of values) tokens += recipe.enumItem + countTextTokens(textOf(value), encoding);
  }
  tokens += countTextTokens(`${name}:${textOf(type)}:${withoutFinalPeriod(textOf(description))}`, encoding);
  // The recipe was fitted on flat parameters only. Nested schemas (`items`, an object's own
  // `properties`, `anyOf`...) are counted as their JSON, which errs on the high side: the
  // safe side for a budget.
  if (Object.keys(rest).length > 0) tokens += countTextTokens(JSON.stringify(rest), encoding);
  return tokens;
}

/** Estimated prompt tokens that a request's `tools` add. Zero for no tools. */
export function toolDefinitionTokens(tools: readonly ToolDefinition[], encoding: Encoding): number {
  if (tools.length === 0) return 0;
  let tokens = 0;
  for (const { function: definition } of tools) {
    tokens += recipe.functionStart[encoding];
    const description = withoutFinalPeriod(definition.description ?? '');
    tokens += countTextTokens(`${definition.name}:${description}`, encoding);
    const properties = definition.parameters?.['properties'];
    if (isRecord(properties) && Object.keys(properties).length > 0) {
      tokens += recipe.propertiesStart;
      for (const [name, schema] of Object.entries(properties))
        tokens += propertyTokens(name, schema, encoding);
    }
  }
  return tokens + recipe.toolsEnd;
}
