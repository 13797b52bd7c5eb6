import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuardRuleError } from './guard-rule-error.js';
import { toLinearPattern } from './linear-pattern.js';
import { scanText } from './scanner.js';
import { type RegexMatcherOptions, regexMatcher } from './user-regex.js';

function found(pattern: string, text: string, options?: RegexMatcherOptions): string[] {
  return scanText(text, [regexMatcher('tickets', pattern, options)]).map((finding) => {
    expect(finding).toMatchObject({ rule: 'tickets', kind: 'regex', label: options?.label ?? 'REDACTED' });
    return text.slice(finding.start, finding.end);
  });
}

describe('regexMatcher', () => {
  it.each([
    ['a plain pattern', 'TICKET-\\d+', 'see TICKET-123 and TICKET-9', {}, ['TICKET-123', 'TICKET-9']],
    ['flag i', 'ticket-\\d+', 'Ticket-1 TICKET-22', { flags: 'i' }, ['Ticket-1', 'TICKET-22']],
    ['flag i with classes', '[a-c]+x', 'ABCX abx', { flags: 'i' }, ['ABCX', 'abx']],
    ['flag i with a negated class', 'q[^a-z]q', 'qAqxq1q', { flags: 'i' }, ['q1q']],
    ['flag i on non-ASCII letters', 'straße', 'STRASSE Straße', { flags: 'i' }, ['Straße']],
    ['flag i on Greek', 'σοφία', 'ΣΟΦΊΑ', { flags: 'i' }, ['ΣΟΦΊΑ']],
    ['flag m', '^id: \\w+$', 'x\nid: 42\ny', { flags: 'm' }, ['id: 42']],
    ['flag s', 'a.b', 'a\nb', { flags: 's' }, ['a\nb']],
    ['flag u without unicode-only syntax', '机密\\d', '机密1', { flags: 'u' }, ['机密1']],
    ['a count above 16', '\\d{18}', 'id 110105194912310021 x', {}, ['110105194912310021']],
    ['nested counts', '(?:\\d{4}-){3}\\d{4}', 'card 1234-5678-9012-3456', {}, ['1234-5678-9012-3456']],
    ['an open count', 'x{20,}', `${'x'.repeat(19)} ${'x'.repeat(25)}`, {}, ['x'.repeat(25)]],
    ['a lazy count', 'a.{2,20}?b', 'a__b__b', {}, ['a__b']],
    ['named groups', '(?<year>\\d{4})-(?<month>\\d{2})', 'on 2024-11-24', {}, ['2024-11']],
    ['word boundaries', '\\bcat\\b', 'cat concat cat.', {}, ['cat', 'cat']],
    [
      'full-width text, normalized first',
      'TICKET-\\d+',
      'ＴＩＣＫＥＴ－１２３',
      {},
      ['ＴＩＣＫＥＴ－１２３'],
    ],
    ['zero-width evasion', 'TICKET-\\d+', 'TICK\u200BET-12', {}, ['TICK\u200BET-12']],
    ['escapes under i', '\\x41\\u0062[\\x63-\\x64]', 'abd ABC', { flags: 'i' }, ['abd', 'ABC']],
  ])('matches with %s', (_name, pattern, text, options, expected) => {
    expect(found(pattern, text, options)).toEqual(expected);
  });

  it('uses its own label', () => {
    expect(scanText('TICKET-1', [regexMatcher('t', 'TICKET-\\d+', { label: 'TICKET' })])[0]?.label).toBe(
      'TICKET',
    );
  });

  it('runs a catastrophic pattern on adversarial input in linear time', () => {
    // `(a+)+$` takes exponential time on the default engine; 200 KB would never finish.
    expect(found('(a+)+$', `${'a'.repeat(200_000)}!`)).toEqual([]);
    expect(found('(x+x+)+y', 'x'.repeat(200_000))).toEqual([]);
    expect(found('(\\w|\\d)+@', '1'.repeat(200_000), { flags: 'i' })).toEqual([]);
  });

  it.each([
    [
      'a pattern that does not compile',
      '(',
      {},
      'guard rule "x": regex /(/ does not compile: Unterminated group (fix the pattern)',
    ],
    [
      'a backreference',
      '(a)\\1',
      {},
      'guard rule "x": regex /(a)\\1/ cannot run in linear time (backreferences and lookaround are not allowed in guard rules, so no input can hang the process; rewrite the pattern without them)',
    ],
    [
      'a named backreference',
      '(?<q>a)\\k<q>',
      { flags: 'i' },
      'guard rule "x": regex /(?<q>a)\\k<q>/ cannot run in linear time (backreferences',
    ],
    ['a lookahead', 'a(?=b)', {}, 'guard rule "x": regex /a(?=b)/ cannot run in linear time (backreferences'],
    [
      'a lookbehind',
      '(?<!a)b',
      {},
      'guard rule "x": regex /(?<!a)b/ cannot run in linear time (backreferences',
    ],
    [
      'a pattern matching the empty string',
      'a*',
      {},
      'guard rule "x": regex /a*/ matches the empty string (an empty match cannot be redacted; make at least one character required, e.g. + instead of *)',
    ],
    ['a bare word boundary', '\\b', {}, 'guard rule "x": regex /\\b/ matches the empty string'],
    [
      'flag g',
      'a',
      { flags: 'g' },
      'guard rule "x": regex flag "g" is not allowed (use each of i, m, s, u at most once; every match is found without g)',
    ],
    ['flag y', 'a', { flags: 'y' }, 'guard rule "x": regex flag "y" is not allowed'],
    ['a repeated flag', 'a', { flags: 'ii' }, 'guard rule "x": regex flag "i" is not allowed'],
    ['a bad label', 'a', { label: 'ticket' }, 'guard rule "x": label "ticket" must be upper-case letters'],
    [
      'huge nested counts',
      '(?:(?:a{1000}){1000}){1000}',
      {},
      'guard rule "x": regex /(?:(?:a{1000}){1000}){1000}/ cannot run in linear time (its {n,m} repeats are too large',
    ],
  ])('rejects %s with a one-line GuardRuleError', (_name, pattern, options, message) => {
    const compile = () => regexMatcher('x', pattern, options);
    expect(compile).toThrow(GuardRuleError);
    expect(compile).toThrow(message);
    try {
      compile();
    } catch (error) {
      expect(GuardRuleError.isInstance(error)).toBe(true);
      expect((error as GuardRuleError).rule).toBe('x');
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('rejects unicode-only syntax when the engine cannot run flag u', () => {
    const compile = () => regexMatcher('x', '\\p{Script=Han}+', { flags: 'u' });
    if (supportsLinearUnicode()) {
      expect(compile().find('机密')).toEqual([{ start: 0, end: 2, label: 'REDACTED' }]);
    } else {
      expect(compile).toThrow(
        /^guard rule "x": regex \/\\p\{Script=Han\}\+\/ needs flag u, which the linear-time/,
      );
    }
  });
});

function supportsLinearUnicode(): boolean {
  // A variable, so the flags are not checked at parse time (the `l` flag is V8-only).
  const flags = 'ul';
  try {
    new RegExp('a', flags);
    return true;
  } catch {
    return false;
  }
}

describe('toLinearPattern', () => {
  // The rewrite must not change what a pattern matches: compare it with the original on the
  // default engine over random patterns and texts.
  const atoms = [
    'a',
    'b',
    'A',
    'ß',
    'σ',
    'Σ',
    '.',
    '\\d',
    '\\w',
    '[a-c]',
    '[^b]',
    '[A-Z_]',
    '\\.',
    '-',
    '(?:ab|c)',
  ];
  const quantifiers = ['', '', '*', '+', '?', '{2}', '{1,3}', '{0,2}?', '{17}', '{2,}'];
  const patterns = fc
    .array(fc.tuple(fc.constantFrom(...atoms), fc.constantFrom(...quantifiers)), {
      minLength: 1,
      maxLength: 5,
    })
    .map((parts) => parts.map(([atom, quantifier]) => atom + quantifier).join(''));
  const texts = fc
    .array(fc.constantFrom(...'abcABCßσΣς-._1 x'), { maxLength: 30 })
    .map((parts) => parts.join(''));

  it.each([false, true])('matches what the original matches (case-insensitive: %s)', (caseInsensitive) => {
    fc.assert(
      fc.property(patterns, texts, (pattern, text) => {
        const flags = caseInsensitive ? 'gi' : 'g';
        const original = [...text.matchAll(new RegExp(pattern, flags))].map((match) => [
          match.index,
          match[0],
        ]);
        const rewritten = new RegExp(toLinearPattern(pattern, caseInsensitive), 'g');
        expect([...text.matchAll(rewritten)].map((match) => [match.index, match[0]])).toEqual(original);
      }),
      { numRuns: 1000 },
    );
  });
});
