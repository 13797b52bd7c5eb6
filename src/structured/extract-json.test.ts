import { describe, expect, it } from 'vitest';
import { extractJson } from './extract-json.js';

describe('extractJson', () => {
  const found: [string, string, string][] = [
    ['a bare object', '{"a": 1}', '{"a": 1}'],
    ['an array', '[1, 2]', '[1, 2]'],
    ['surrounding whitespace trimmed', '\n  {"a": 1}  \n', '{"a": 1}'],
    ['a leading BOM trimmed', '\uFEFF{"a": 1}', '{"a": 1}'],
    ['a json fence', '```json\n{"a": 1}\n```', '{"a": 1}'],
    ['a JSON fence in capitals', '```JSON\n{"a": 1}\n```', '{"a": 1}'],
    ['a jsonc fence', '```jsonc\n{"a": 1}\n```', '{"a": 1}'],
    ['a bare fence', '```\n[1, 2]\n```', '[1, 2]'],
    ['a fence on one line', '```json {"a": 1}```', '{"a": 1}'],
    ['a fence with prose around', 'Here it is:\n```json\n{"a": 1}\n```\nHope that helps!', '{"a": 1}'],
    ['the first of two json fences', '```json\n{"a": 1}\n```\nor\n```json\n{"a": 2}\n```', '{"a": 1}'],
    [
      'a json fence after a fence in another language',
      '```python\nprint({"x": 1})\n```\n```json\n{"a": 1}\n```',
      '{"a": 1}',
    ],
    [
      'a json fence after an untagged shell fence',
      'Run\n```\nnpm i\n```\nthen\n```\n{"a": 1}\n```',
      '{"a": 1}',
    ],
    ['a json fence that is not valid JSON', '```json\nnot json\n```', 'not json'],
    ['an object after prose', 'Sure! Here is the object: {"a": 1}', '{"a": 1}'],
    ['an object between prose', 'Sure: {"a": {"b": [1]}} Let me know.', '{"a": {"b": [1]}}'],
    ['braces inside strings', 'Result: {"a": "}{", "b": "x\\"}"} done', '{"a": "}{", "b": "x\\"}"}'],
    ['an escaped backslash before a quote', 'Result: {"a": "\\\\"} }', '{"a": "\\\\"}'],
    ['an object after an unclosed fence', '```json\n{"a": 1}', '{"a": 1}'],
    ['the whole text when it starts with a brace', '{"a": 1} Thanks!', '{"a": 1} Thanks!'],
  ];
  it.each(found)('finds %s', (_, text, json) => {
    expect(extractJson(text)).toEqual({ json });
  });

  const missing: [string, string][] = [
    ['an empty answer', ''],
    ['whitespace', '  \n '],
    ['prose only', 'I cannot help with that.'],
    ['an array inside prose', 'The numbers are [1, 2, 3].'],
    ['a brace never closed', 'Here: {"a": "cut off'],
    ['a closing brace inside a string only', 'Here: {"a": "}'],
    ['a fence in another language', '```python\nprint(1)\n```'],
    ['an empty json fence', '```json\n```'],
  ];
  it.each(missing)('finds nothing in %s', (_, text) => {
    expect(extractJson(text)).toBeUndefined();
  });
});
