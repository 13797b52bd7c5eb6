import type { JsonSchema } from './object-schema.js';

/**
 * Why OpenAI's strict structured outputs would reject this schema, or undefined when it would
 * accept it. Strict mode needs an object at the root and, in every object, every property listed
 * in `required` and `additionalProperties: false`. A schema that fails is still sent, with
 * `strict: false`, and llmkit's own validation (with repair) does the enforcing.
 */
export function strictSchemaIssue(schema: JsonSchema): string | undefined {
  if (schema['type'] !== 'object') return 'the root is not an object';
  return objectIssue(schema, '$');
}

function objectIssue(schema: unknown, path: string): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  if (Array.isArray(schema)) {
    for (const [index, entry] of schema.entries()) {
      const issue = objectIssue(entry, `${path}[${index}]`);
      if (issue) return issue;
    }
    return undefined;
  }
  const node = schema as Record<string, unknown>;
  const isObject =
    node['type'] === 'object' || (Array.isArray(node['type']) && node['type'].includes('object'));
  if (isObject) {
    const properties = (node['properties'] ?? {}) as Record<string, unknown>;
    const required = Array.isArray(node['required']) ? (node['required'] as string[]) : [];
    const optional = Object.keys(properties).find((key) => !required.includes(key));
    if (optional !== undefined) {
      return `${path}.${optional} is optional (strict mode needs every property required; make it nullable instead)`;
    }
    if (node['additionalProperties'] !== false) {
      return `${path} allows additional properties (strict mode needs additionalProperties: false)`;
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') continue;
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      // Each property's schema is reported under its own name: `$.address.city`.
      for (const [name, schema] of Object.entries(value)) {
        const issue = objectIssue(schema, `${path}.${name}`);
        if (issue) return issue;
      }
      continue;
    }
    const issue = objectIssue(value, key === 'items' ? `${path}[]` : path);
    if (issue) return issue;
  }
  return undefined;
}
