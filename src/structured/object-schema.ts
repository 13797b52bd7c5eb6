import { z } from 'zod';
import { SchemaError } from '../errors/index.js';
import type { OutputIssue } from '../errors/output-errors.js';

/** A JSON Schema object, as `generateObject` accepts it and providers receive it. */
export type JsonSchema = Record<string, unknown>;

/** What `generateObject` and `streamObject` accept: a zod schema (typed result) or a JSON Schema. */
export type SchemaInput = z.ZodType | JsonSchema;

/** The type a schema validates to: `z.infer` for zod, `unknown` for a JSON Schema. */
export type InferSchema<S> = S extends z.ZodType ? z.output<S> : unknown;

export type Validation<T> = { success: true; value: T } | { success: false; issues: OutputIssue[] };

/** A schema made ready for a call: the JSON Schema to send and a zod validator for the answer. */
export interface ObjectSchema<T = unknown> {
  /** The JSON Schema sent to the provider (no `$schema` key, no meaningless integer bounds). */
  jsonSchema: JsonSchema;
  validate(value: unknown): Validation<T>;
}

const jsonSchemaTypes = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];
const schemaShapeKeys = ['type', 'properties', 'items', 'anyOf', 'oneOf', 'allOf', 'enum', 'const', '$ref'];

/**
 * Accepts a zod schema or a JSON Schema and returns both forms: JSON Schema for the provider,
 * zod for validation (`z.fromJSONSchema` for JSON Schema input). Anything else, or a JSON
 * Schema with a structural mistake, is a `SchemaError` naming the place and the fix.
 */
export function toObjectSchema<S extends SchemaInput>(input: S): ObjectSchema<InferSchema<S>> {
  if (isZodSchema(input)) {
    let jsonSchema: JsonSchema;
    try {
      jsonSchema = z.toJSONSchema(input, { unrepresentable: 'throw' }) as JsonSchema;
    } catch (error) {
      throw new SchemaError(`the zod schema cannot be expressed as JSON Schema: ${firstLine(error)}`, {
        hint: 'providers receive JSON Schema, so avoid z.date(), z.bigint(), z.map(), transforms and custom refinements in output schemas (use strings and validate after)',
      });
    }
    return { jsonSchema: cleanJsonSchema(jsonSchema), validate: (value) => validateWith(input, value) };
  }
  if (!isPlainObject(input)) {
    throw new SchemaError(`the schema is ${describe(input)}, not a zod schema or a JSON Schema object`);
  }
  checkJsonSchema(input, '$');
  let validator: z.ZodType;
  try {
    validator = z.fromJSONSchema(input as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw new SchemaError(`the JSON Schema is not usable: ${firstLine(error)}`);
  }
  return {
    jsonSchema: cleanJsonSchema(input),
    validate: (value) => validateWith(validator, value) as Validation<InferSchema<S>>,
  };
}

export function isZodSchema(value: unknown): value is z.ZodType {
  return (
    typeof value === 'object' &&
    value !== null &&
    '_zod' in value &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function'
  );
}

function validateWith<T>(schema: z.ZodType, value: unknown): Validation<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { success: true, value: parsed.data as T };
  return {
    success: false,
    issues: parsed.error.issues.map((issue) => ({
      path: formatPath(issue.path),
      message: issue.message,
    })),
  };
}

/** `['people', 0, 'name']` -> `$.people[0].name`, the form the model is shown. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '$';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) text += `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

/**
 * The structural mistakes `z.fromJSONSchema` would accept silently (a `properties` that is not
 * an object, a `required` that is not a list) or report without a location.
 */
function checkJsonSchema(schema: unknown, path: string): void {
  if (typeof schema === 'boolean') return;
  if (!isPlainObject(schema)) {
    throw new SchemaError(`${path} is ${describe(schema)}; a JSON Schema is an object or a boolean`);
  }
  if (path === '$' && !schemaShapeKeys.some((key) => key in schema)) {
    throw new SchemaError(
      `the JSON Schema has none of ${schemaShapeKeys.join(', ')}, so it constrains nothing`,
    );
  }
  const type = schema['type'];
  const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
  for (const entry of types) {
    if (typeof entry !== 'string' || !jsonSchemaTypes.includes(entry)) {
      throw new SchemaError(
        `${path}.type is ${JSON.stringify(entry)}, not a JSON Schema type (one of ${jsonSchemaTypes.join(', ')})`,
      );
    }
  }
  const properties = schema['properties'];
  if (properties !== undefined) {
    if (!isPlainObject(properties)) throw new SchemaError(`${path}.properties must be an object of schemas`);
    for (const [key, value] of Object.entries(properties))
      checkJsonSchema(value, `${path}.properties.${key}`);
  }
  const required = schema['required'];
  if (
    required !== undefined &&
    (!Array.isArray(required) || required.some((key) => typeof key !== 'string'))
  ) {
    throw new SchemaError(`${path}.required must be a list of property names`);
  }
  if (schema['items'] !== undefined) checkJsonSchema(schema['items'], `${path}.items`);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0)
      throw new SchemaError(`${path}.${key} must be a non-empty list of schemas`);
    for (const [index, entry] of list.entries()) checkJsonSchema(entry, `${path}.${key}[${index}]`);
  }
  if (schema['enum'] !== undefined && !Array.isArray(schema['enum'])) {
    throw new SchemaError(`${path}.enum must be a list of values`);
  }
  for (const key of ['$defs', 'definitions'] as const) {
    const defs = schema[key];
    if (defs === undefined) continue;
    if (!isPlainObject(defs)) throw new SchemaError(`${path}.${key} must be an object of schemas`);
    for (const [name, value] of Object.entries(defs)) checkJsonSchema(value, `${path}.${key}.${name}`);
  }
}

/** Drops what only adds noise to the prompt: `$schema`, and the ±2^53 bounds zod puts on integers. */
function cleanJsonSchema(schema: JsonSchema): JsonSchema {
  return strip(schema, true) as JsonSchema;
}

function strip(value: unknown, root: boolean): unknown {
  if (Array.isArray(value)) return value.map((entry) => strip(entry, false));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (root && key === '$schema') continue;
    if (
      (key === 'minimum' && entry === Number.MIN_SAFE_INTEGER) ||
      (key === 'maximum' && entry === Number.MAX_SAFE_INTEGER)
    )
      continue;
    out[key] = strip(entry, false);
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
