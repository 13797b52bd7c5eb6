import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePartialJson } from './partial-json.js';

/** Every prefix of `text`, from the empty one to the whole. */
const prefixes = (text: string): string[] =>
  Array.from({ length: text.length + 1 }, (_, end) => text.slice(0, end));

/** A JSON value together with its compact and its indented text. */
const documents = fc
  .jsonValue()
  .chain((value) => fc.constantFrom(JSON.stringify(value), JSON.stringify(value, null, 2)));

/** Text that looks like JSON but is often broken, to compare `complete` with `JSON.parse`. */
const jsonish = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'{}[]":,-+.eE0129 \n\ttruefalsnl\\u/xA'.split('')), maxLength: 30 }),
  fc
    .tuple(fc.json(), fc.nat(), fc.string({ maxLength: 3 }))
    .map(
      ([json, at, insert]) =>
        json.slice(0, at % (json.length + 1)) + insert + json.slice(at % (json.length + 1)),
    ),
);

function jsonParses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `later` carries everything `earlier` showed: arrays keep their elements (and may gain more),
 * objects keep their keys, strings only grow, a number stays a number (`12` may become `125`).
 */
function extendsValue(earlier: unknown, later: unknown): boolean {
  if (Array.isArray(earlier)) {
    return (
      Array.isArray(later) &&
      later.length >= earlier.length &&
      earlier.every((item, index) => extendsValue(item, later[index]))
    );
  }
  if (isRecord(earlier)) {
    return (
      isRecord(later) &&
      Object.keys(earlier).every((key) => Object.hasOwn(later, key) && extendsValue(earlier[key], later[key]))
    );
  }
  if (typeof earlier === 'string') return typeof later === 'string' && later.startsWith(earlier);
  if (typeof earlier === 'number') return typeof later === 'number';
  return Object.is(earlier, later);
}

describe('parsePartialJson cases', () => {
  const cases: [string, unknown][] = [
    ['{"a":', {}],
    ['{"a": ', {}],
    ['{"a"', {}],
    ['{"ab', {}],
    ['{"a":1,"b', { a: 1 }],
    ['{"a":1,', { a: 1 }],
    ['{"a": "hel', { a: 'hel' }],
    ['{"a": "', { a: '' }],
    ['{"a": {"b": [1, 2', { a: { b: [1, 2] } }],
    ['{"a": [', { a: [] }],
    ['[1, 2,', [1, 2]],
    ['[1, 2, ', [1, 2]],
    ['[1, tr', [1]],
    ['[1, true', [1, true]],
    ['[nul', []],
    ['[fals', []],
    ['[false, null', [false, null]],
    ['{"a": tr', {}],
    ['[1, -', [1]],
    ['[1, 12', [1, 12]],
    ['[1, 12.', [1]],
    ['[1, 12.5', [1, 12.5]],
    ['[1e', []],
    ['[1e-', []],
    ['[1E+', []],
    ['[1e-7', [1e-7]],
    ['[-0', [-0]],
    ['{"a": 1.', {}],
    ['"a\\', 'a'],
    ['"\\u00', ''],
    ['"x\\u00e', 'x'],
    ['"x\\u00e9', 'xé'],
    ['"a\\nb\\"c\\/\\\\', 'a\nb"c/\\'],
    ['["\\ud83d', ['\ud83d']],
    ['["\\ud83d\\ude00"', ['😀']],
    ['{"a\\"b": 1, "c\\', { 'a"b': 1 }],
    ['[[[', [[[]]]],
    ['[{"a": [{"b', [{ a: [{}] }]],
    ['  \n\t[1', [1]],
    ['12', 12],
    ['"done"', 'done'],
  ];
  it.each(cases)('%j gives %j', (text, value) => {
    expect(parsePartialJson(text)).toEqual({ value, complete: jsonParses(text) });
  });

  it.each([
    '',
    '   \n',
    '-',
    '1.',
    '1e',
    '1e-',
    'tr',
    'nul',
    'fals',
    'Sure! {"a": 1}',
    '\uFEFF{}',
    '\u00a0[1]',
    '}',
    ']',
  ])('%j gives undefined', (text) => {
    expect(parsePartialJson(text)).toBeUndefined();
  });

  it('is complete only for whole documents', () => {
    expect(parsePartialJson('{"a": [1, "x", null]}')).toEqual({
      value: { a: [1, 'x', null] },
      complete: true,
    });
    expect(parsePartialJson(' 12 \n')).toEqual({ value: 12, complete: true });
    expect(parsePartialJson('[]')).toEqual({ value: [], complete: true });
    expect(parsePartialJson('{"a": 1')).toEqual({ value: { a: 1 }, complete: false });
  });

  it('reads text that stops being JSON up to where it stops', () => {
    expect(parsePartialJson('{"a": 1}\n```')).toEqual({ value: { a: 1 }, complete: false });
    expect(parsePartialJson('{"a": 1} {"b": 2}')).toEqual({ value: { a: 1 }, complete: false });
    expect(parsePartialJson('[01]')).toEqual({ value: [0], complete: false });
    expect(parsePartialJson('[1.]')).toEqual({ value: [], complete: false });
    expect(parsePartialJson('["a\\x"]')).toEqual({ value: ['a'], complete: false });
    expect(parsePartialJson('["a\nb"]')).toEqual({ value: ['a'], complete: false });
    expect(parsePartialJson('{"a" 1}')).toEqual({ value: {}, complete: false });
    expect(parsePartialJson('[1,]')).toEqual({ value: [1], complete: false });
    expect(parsePartialJson('{,}')).toEqual({ value: {}, complete: false });
  });

  it('keeps a __proto__ key as a plain key, as JSON.parse does', () => {
    const result = parsePartialJson('{"__proto__": {"polluted": true}, "b": 1');
    expect(Object.getPrototypeOf(result?.value)).toBe(Object.prototype);
    expect(Object.keys(result?.value as object)).toEqual(['__proto__', 'b']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('lets a duplicate key replace the earlier value in place, as JSON.parse does', () => {
    const text = '{"a": 1, "b": 2, "a": 3}';
    expect(parsePartialJson(text)).toEqual({ value: JSON.parse(text), complete: true });
    expect(Object.keys(parsePartialJson(text)?.value as object)).toEqual(['a', 'b']);
  });

  it('reads deep nesting without recursion', () => {
    const depth = 100_000;
    const result = parsePartialJson('['.repeat(depth) + ']'.repeat(depth));
    expect(result?.complete).toBe(true);
    let level = 0;
    for (let value = result?.value; Array.isArray(value); value = value[0]) level += 1;
    expect(level).toBe(depth);
  });

  it('takes linear time on a long prefix', () => {
    // Re-parsing ever-shorter prefixes would take minutes here; one pass takes milliseconds.
    const text = '{"items": [' + '{"name": "item", "tags": ["a", "b"], "price": 1.5},'.repeat(40_000);
    const started = performance.now();
    const result = parsePartialJson(text);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result?.value).toHaveProperty('items.length', 40_000);
  });
});

describe('parsePartialJson properties', () => {
  it('reads every prefix of a document and the whole as JSON.parse does', () => {
    fc.assert(
      fc.property(documents, (text) => {
        for (const prefix of prefixes(text)) {
          const result = parsePartialJson(prefix);
          const trimmed = prefix.trim();
          // Only an empty prefix or an unfinished top-level number or literal shows nothing yet.
          if (result === undefined) expect(trimmed === '' || !/^[[{"]/.test(trimmed)).toBe(true);
          else expect(result.complete).toBe(jsonParses(prefix));
        }
        expect(parsePartialJson(text)).toEqual({ value: JSON.parse(text), complete: true });
      }),
    );
  });

  it('agrees with JSON.parse on whether any text is a whole document', () => {
    fc.assert(
      fc.property(jsonish, (text) => {
        const result = parsePartialJson(text);
        if (jsonParses(text)) expect(result).toEqual({ value: JSON.parse(text), complete: true });
        else expect(result?.complete ?? false).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('only extends the value as the prefix grows, except for a number awaiting a digit', () => {
    fc.assert(
      fc.property(documents, (text) => {
        // A prefix ending in `-`, `+`, `.`, `e` or `E` may end inside a number that is absent until
        // its next digit (`[1, 12.` gives `[1]`); those prefixes are skipped, all others compared.
        let earlier: unknown;
        for (const prefix of prefixes(text)) {
          if (/[-+.eE]$/.test(prefix)) continue;
          const later = parsePartialJson(prefix)?.value;
          if (earlier !== undefined) expect(extendsValue(earlier, later)).toBe(true);
          earlier = later;
        }
      }),
    );
  });

  it('never drops an array element, except the number awaiting a digit', () => {
    // The brief's monotonicity, counted directly: the root array's length per prefix.
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 8 }), (values) => {
        let count = 0;
        for (const prefix of prefixes(JSON.stringify(values))) {
          const value = parsePartialJson(prefix)?.value;
          const length = Array.isArray(value) ? value.length : 0;
          if (/[-+.eE]$/.test(prefix)) expect(length).toBeGreaterThanOrEqual(count - 1);
          else {
            expect(length).toBeGreaterThanOrEqual(count);
            count = length;
          }
        }
        expect(count).toBe(values.length);
      }),
    );
  });
});
