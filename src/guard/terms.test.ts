import { describe, expect, it } from 'vitest';
import { GuardRuleError } from './guard-rule-error.js';
import { scanText } from './scanner.js';
import { type TermMatcherOptions, termMatcher } from './terms.js';

function found(terms: string[], text: string, options?: TermMatcherOptions): string[] {
  return scanText(text, [termMatcher('banned', terms, options)]).map((finding) => {
    expect(finding).toMatchObject({ rule: 'banned', kind: 'term', label: options?.label ?? 'TERM' });
    expect(finding.detector).toBeUndefined();
    return text.slice(finding.start, finding.end);
  });
}

describe('termMatcher', () => {
  it.each([
    ['a Chinese term inside Chinese text', ['机密'], '这是机密文件', ['机密']],
    ['Chinese next to ASCII letters', ['机密'], 'abc机密def', ['机密']],
    ['an ASCII word', ['secret'], 'the secret plan', ['secret']],
    ['case-insensitively', ['secret'], 'SECRET Secret sEcReT', ['SECRET', 'Secret', 'sEcReT']],
    ['a full-width evasion', ['secret'], 'a ｓｅｃｒｅｔ plan', ['ｓｅｃｒｅｔ']],
    ['a full-width upper-case evasion', ['secret'], 'a ＳＥＣＲＥＴ plan', ['ＳＥＣＲＥＴ']],
    ['a zero-width evasion', ['secret'], 'a se\u200Bcret plan', ['se\u200Bcret']],
    ['a soft-hyphen evasion in Chinese', ['机密'], '机\u00AD密', ['机\u00AD密']],
    ['a mathematical-letter evasion', ['secret'], '𝐬𝐞𝐜𝐫𝐞𝐭!', ['𝐬𝐞𝐜𝐫𝐞𝐭']],
    ['a term given in full width', ['ｓｅｃｒｅｔ'], 'secret', ['secret']],
    ['a term with a zero-width character in it', ['sec\u200Bret'], 'secret', ['secret']],
    ['a term next to punctuation', ['ass'], 'ass, (ass). "ass"', ['ass', 'ass', 'ass']],
    ['a phrase', ['top secret'], 'It is TOP SECRET.', ['TOP SECRET']],
    ['a term ending in a non-word character', ['c++'], 'I like c++ and c++17', ['c++', 'c++']],
    ['next to an underscore (not an ASCII letter or digit)', ['secret'], 'my_secret_key', ['secret']],
  ])('finds %s', (_name, terms, text, expected) => {
    expect(found(terms, text)).toEqual(expected);
  });

  it.each([
    ['a term inside a longer ASCII word', ['ass'], 'class, passive, assess, bass'],
    ['a term at the start of a longer word', ['secret'], 'secretary'],
    ['a term at the end of a longer word', ['secret'], 'topsecret'],
    ['a term next to digits', ['ass'], 'ass1 1ass'],
  ])('does not find %s in word mode', (_name, terms, text) => {
    expect(found(terms, text)).toEqual([]);
  });

  it('finds terms inside words in substring mode', () => {
    expect(found(['ass'], 'class passive', { match: 'substring' })).toEqual(['ass', 'ass']);
  });

  it('lets the longest term win at a position, and matches do not overlap', () => {
    expect(found(['机密', '机密文件', '文件'], '这是机密文件和文件')).toEqual(['机密文件', '文件']);
    expect(found(['top', 'top secret'], 'top secret, top')).toEqual(['top secret', 'top']);
  });

  it('falls back to a shorter term when the longer one would end inside a word', () => {
    expect(found(['pass', 'password'], 'password passwords pass')).toEqual(['password', 'pass']);
  });

  it('uses its own label', () => {
    expect(found(['机密'], '机密', { label: 'BANNED' })).toEqual(['机密']);
  });

  it('reports the longest term for the stream hold-back', () => {
    expect(termMatcher('t', ['ab', 'ｓｅｃｒｅｔ', '机密文件']).maxMatchLength).toBe(6);
  });

  it.each([
    ['no terms', [], 'guard rule "banned": has no terms (list at least one term to match)'],
    [
      'an empty term',
      ['ok', ''],
      'guard rule "banned": term 2 of 2 is empty (remove it, or give it visible characters)',
    ],
    [
      'a term of invisible characters',
      ['\u200B\u200B'],
      'guard rule "banned": term 1 of 1 is empty (remove it, or give it visible characters)',
    ],
    [
      'a blank term',
      ['  '],
      'guard rule "banned": term 1 of 1 is empty (remove it, or give it visible characters)',
    ],
  ])('rejects %s with a one-line GuardRuleError', (_name, terms, message) => {
    expect(() => termMatcher('banned', terms)).toThrow(GuardRuleError);
    expect(() => termMatcher('banned', terms)).toThrow(message);
  });

  it('rejects a label that could not be shown as [LABEL]', () => {
    expect(() => termMatcher('banned', ['x'], { label: 'bad label]' })).toThrow(
      'guard rule "banned": label "bad label]" must be upper-case letters, digits or _, such as TERM',
    );
  });

  it('scans adversarial text in time bounded by its length times the longest term', () => {
    const matcher = termMatcher('t', ['a'.repeat(50) + 'b', 'aa', '机'.repeat(30) + '密'], {
      match: 'substring',
    });
    expect(scanText('a'.repeat(200_000), [matcher]).length).toBe(100_000);
    expect(scanText('机'.repeat(200_000), [matcher])).toEqual([]);
  });
});
