import type { OutputIssue } from '../errors/output-errors.js';
import type { FinishReason } from '../providers/types.js';
import { extractJson } from './extract-json.js';
import type { ObjectSchema, Validation } from './object-schema.js';

/**
 * Parses and validates one attempt's text. Models in json_object mode sometimes wrap the JSON
 * in prose or a Markdown fence, so the JSON is extracted first; a cut-off answer says so, since
 * the fix there is more max tokens, not a better answer.
 */
export function parseObject<T>(
  text: string,
  schema: ObjectSchema<T>,
  finishReason: FinishReason,
): Validation<T> {
  const cutOff: OutputIssue[] =
    finishReason === 'length'
      ? [{ path: '$', message: 'the answer was cut off at the max tokens limit; answer more briefly' }]
      : [];
  const extracted = extractJson(text);
  if (!extracted) {
    return {
      success: false,
      issues: [
        ...cutOff,
        {
          path: '$',
          message: text.trim() === '' ? 'the answer is empty, not JSON' : 'the answer contains no JSON',
        },
      ],
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(extracted.json);
  } catch (error) {
    return {
      success: false,
      issues: [...cutOff, { path: '$', message: `not valid JSON: ${(error as Error).message}` }],
    };
  }
  return schema.validate(value);
}
