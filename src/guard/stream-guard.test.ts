import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectorMatcher } from './detectors.js';
import { redactText, scanText } from './scanner.js';
import { StreamGuard } from './stream-guard.js';
import { termMatcher } from './terms.js';
import { detectorNames, type Finding, type Matcher, matchContext } from './types.js';
import { regexMatcher } from './user-regex.js';

const matchers: Matcher[] = [
  ...detectorNames.map((name) => detectorMatcher('pii', name)),
  termMatcher('banned', ['secret', '机密', 'class', 'top secret']),
  regexMatcher('tickets', 'ticket-\\d+', { flags: 'i', label: 'TICKET' }),
];

/** Streams `deltas` through a guard; returns everything it released. */
function stream(deltas: string[], guardMatchers = matchers): { text: string; findings: Finding[] } {
  const guard = new StreamGuard(guardMatchers);
  let text = '';
  const findings: Finding[] = [];
  for (const output of [...deltas.map((delta) => guard.push(delta)), guard.flush()]) {
    text += output.text;
    findings.push(...output.findings);
  }
  return { text, findings };
}

/** `whole` cut at the given offsets (taken modulo its length); a cut may split a surrogate pair. */
function split(whole: string, offsets: number[]): string[] {
  const cuts = offsets.map((offset) => offset % (whole.length + 1)).sort((a, b) => a - b);
  const deltas: string[] = [];
  let start = 0;
  for (const cut of cuts) {
    deltas.push(whole.slice(start, cut));
    start = cut;
  }
  deltas.push(whole.slice(start));
  return deltas;
}

const parts = [
  // Prose and separators.
  '请联系',
  '谢谢，',
  '这是机密文件。',
  'hello ',
  'the class ',
  'top secret ',
  ' ',
  '\n',
  '@',
  '.',
  '-',
  '7',
  '+',
  ':',
  'x',
  // Personal data and credentials.
  'a.b@example.com',
  'li.wei@mail.example.cn',
  '13800138000',
  '+86 139 1234 5678',
  '１３８００１３８０００',
  '11010519491231002X',
  '4111 1111 1111 1111',
  '4111111111111111',
  '192.168.1.1',
  '::1',
  '2001:db8::8a2e:370:7334',
  'sk-proj-AbC123dEf456GhI789jKl012',
  'Bearer abc123def456ghi789jkl',
  'AKIAIOSFODNN7EXAMPLE',
  'TICKET-42',
  // Evasions and characters that fold.
  'secret',
  'ｓｅｃｒｅｔ',
  'se\u200Bcret',
  '机\u200B密',
  '\u200B',
  '\u0301',
  'ﬁ',
  '𝐬',
  'ｶ',
  'ﾞ',
  'ㄱ',
  'ㅏ',
];
const wholeTexts = fc.array(fc.constantFrom(...parts), { maxLength: 30 }).map((chosen) => chosen.join(''));

describe('StreamGuard', () => {
  it('releases exactly what redacting the whole text gives, for any split (property)', () => {
    fc.assert(
      fc.property(wholeTexts, fc.array(fc.nat(), { maxLength: 12 }), (whole, offsets) => {
        const expectedFindings = scanText(whole, matchers);
        const released = stream(split(whole, offsets));
        expect(released.text).toBe(redactText(whole, expectedFindings));
        expect(released.findings).toEqual(expectedFindings);
      }),
      { numRuns: 1500 },
    );
  });

  // Without the email detector and the user regex, whose reach is hundreds of characters, these
  // texts are long enough for the guard to drop decided text many times over.
  const shortReach = matchers.filter((matcher) => matcher.maxMatchLength < 100);
  const longTexts = fc
    .array(fc.constantFrom(...parts), { minLength: 20, maxLength: 80 })
    .map((chosen) => chosen.join(''));

  it('releases exactly what redacting the whole text gives while dropping decided text (property)', () => {
    fc.assert(
      fc.property(longTexts, fc.array(fc.nat(), { maxLength: 40 }), (whole, offsets) => {
        const expectedFindings = scanText(whole, shortReach);
        const released = stream(split(whole, offsets), shortReach);
        expect(released.text).toBe(redactText(whole, expectedFindings));
        expect(released.findings).toEqual(expectedFindings);
      }),
      { numRuns: 1000 },
    );
  });

  it('finds anchored regex matches only where the whole text has them (property)', () => {
    // `^` is the start of the whole output and `$` its end, not of the tail a push rescans.
    const anchored = [
      regexMatcher('edges', '^\\w+|\\w+$|x{3,40}', { label: 'EDGE' }),
      detectorMatcher('pii', 'phone'),
    ];
    fc.assert(
      fc.property(longTexts, fc.array(fc.nat(), { maxLength: 40 }), (whole, offsets) => {
        expect(stream(split(whole, offsets), anchored).text).toBe(
          redactText(whole, scanText(whole, anchored)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('does not release text before an open match where more text could start another', () => {
    // Cut inside `𝐬`: `x{3,40}` then matches first, but once `𝐬` arrives `\w+$` starts earlier.
    const guard = new StreamGuard([regexMatcher('edges', '\\w+$|x{3,40}', { label: 'EDGE' })]);
    const whole = '请联系ﬁxxxxxxxx𝐬';
    const output =
      guard.push(whole.slice(0, 13)).text + guard.push(whole.slice(13)).text + guard.flush().text;
    expect(output).toBe('请联系[EDGE]');
  });

  it('gives the same result one character at a time', () => {
    fc.assert(
      fc.property(wholeTexts, (whole) => {
        expect(stream([...whole.split('')]).text).toBe(redactText(whole, scanText(whole, matchers)));
      }),
      { numRuns: 300 },
    );
  });

  it('never releases part of a match', () => {
    const guard = new StreamGuard(matchers);
    const outputs = ['mail li.wei@exa', 'mple.com', ' or call 138', '0013 8000 ', 'now'].map(
      (delta) => guard.push(delta).text,
    );
    outputs.push(guard.flush().text);
    expect(outputs.join('')).toBe('mail [EMAIL] or call [PHONE] now');
    for (const output of outputs) expect(output).not.toMatch(/li\.wei|example|138|0013/);
  });

  it('reports findings in offsets of the whole output so far', () => {
    const guard = new StreamGuard([detectorMatcher('pii', 'email')]);
    const prefix = 'x'.repeat(1000);
    const first = guard.push(`${prefix} a@example.com `);
    const rest = guard.flush();
    const [finding] = [...first.findings, ...rest.findings];
    expect(finding).toMatchObject({ start: 1001, end: 1014, label: 'EMAIL', detector: 'email' });
  });

  it('holds back only a bounded tail of text without matches', () => {
    const guard = new StreamGuard(matchers);
    const holdBack = Math.max(...matchers.map((matcher) => matcher.maxMatchLength)) + matchContext + 1;
    let pushed = 0;
    let released = 0;
    for (let index = 0; index < 500; index += 1) {
      const delta = index % 2 === 0 ? 'the model answers ' : '模型回答了问题，';
      pushed += delta.length;
      released += guard.push(delta).text.length;
      expect(pushed - released).toBeLessThanOrEqual(holdBack + delta.length);
    }
  });

  it('holds a token that keeps growing until it ends, then redacts it whole', () => {
    const guard = new StreamGuard(matchers);
    let output = guard.push('key: sk-AbC123').text;
    for (let index = 0; index < 200; index += 1) output += guard.push('dEf456GhI789').text;
    expect(output).toBe('key: ');
    output += guard.push(' done').text + guard.flush().text;
    expect(output).toBe('key: [SECRET] done');
  });

  it('releases everything without matchers', () => {
    const guard = new StreamGuard([]);
    expect(guard.push('anything').text).toBe('anything');
  });

  it('refuses a push after flush, and a second flush releases nothing', () => {
    const guard = new StreamGuard(matchers);
    guard.push('a');
    expect(guard.flush().text).toBe('a');
    expect(guard.flush()).toEqual({ text: '', findings: [] });
    expect(() => guard.push('b')).toThrow('StreamGuard.push called after flush');
  });
});
