import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attachesAt, normalizeForMatching, stableRanges } from './normalize.js';

const invisibles = /[\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF]/g;
/** What normalization must equal: NFKC of the whole text with invisibles removed. */
const reference = (text: string) => text.replace(invisibles, '').normalize('NFKC');

describe('normalizeForMatching', () => {
  it.each([
    ['full-width digits', '１３８００１３８０００', '13800138000'],
    ['full-width letters and punctuation', 'ＡＢＣ，ｓｅｃｒｅｔ！', 'ABC,secret!'],
    ['ideographic space', '机密\u3000文件', '机密 文件'],
    ['ligatures', 'ﬁle ﬀ', 'file ff'],
    ['mathematical letters', '𝐬𝐤-𝒂𝒃𝒄', 'sk-abc'],
    ['zero-width characters', 'se\u200Bc\u200Cr\u200De\u2060t\uFEFF', 'secret'],
    ['a soft hyphen and the Mongolian vowel separator', 'pass\u00ADword\u180E', 'password'],
    ['combining marks composed', 'cafe\u0301', 'café'],
    ['a mark after an invisible', 'e\u200B\u0301', 'é'],
    ['half-width katakana with a voicing mark', 'ｶﾞｷﾞ', 'ガギ'],
    ['Hangul jamo', '\u1100\u1161\u11A8', '각'],
    ['compatibility jamo', 'ㄱㅏ', '가'],
    ['circled and parenthesized forms', '①⑵', '1(2)'],
  ])('folds %s', (_name, text, folded) => {
    expect(normalizeForMatching(text).text).toBe(folded);
    expect(reference(text)).toBe(folded);
  });

  it('keeps case, so ASCII stays length-preserving', () => {
    expect(normalizeForMatching('Hello ＷＯＲＬＤ').text).toBe('Hello WORLD');
  });

  it('returns text with nothing to fold as is, with identity offsets', () => {
    const text = 'Plain English, 中文的句子。、「引号」 かなカナ 한국어 ~!@#$%^&*()';
    const normalized = normalizeForMatching(text);
    expect(normalized.text).toBe(text);
    expect(normalized.toOriginal(7)).toBe(7);
    expect(normalized.toOriginalEnd(7)).toBe(7);
    expect(normalized.toNormalized(7)).toBe(7);
  });

  it('maps spans back over the original characters, zero-width ones inside included', () => {
    const text = 'x se\u200B\u200Bcret ﬁle 𝐬𝐤 y';
    const normalized = normalizeForMatching(text);
    expect(normalized.text).toBe('x secret file sk y');
    const span = (word: string) => {
      const start = normalized.text.indexOf(word);
      return text.slice(normalized.toOriginal(start), normalized.toOriginalEnd(start + word.length));
    };
    expect(span('secret')).toBe('se\u200B\u200Bcret');
    expect(span('file')).toBe('ﬁle');
    // Half a ligature still covers all of it.
    expect(span('i')).toBe('ﬁ');
    expect(span('sk')).toBe('𝐬𝐤');
    expect(span('y')).toBe('y');
    expect(normalized.toOriginal(normalized.text.length)).toBe(text.length);
    expect(normalized.toOriginalEnd(normalized.text.length)).toBe(text.length);
  });

  it('maps original offsets at character boundaries to normalized ones', () => {
    const text = 'a\u200Bbﬁc𝐬d';
    const normalized = normalizeForMatching(text);
    expect(normalized.text).toBe('abficsd');
    expect([0, 1, 3, 4, 5, 7, 8].map((index) => normalized.toNormalized(index))).toEqual([
      0, 1, 2, 4, 5, 6, 7,
    ]);
  });

  // The fast path is only sound if every character it skips is NFKC-stable and never folds
  // together with a neighbour; these two tests check that for all of the BMP.
  it('skips only stable, non-attaching characters', () => {
    const unstable: string[] = [];
    for (const [first, last] of stableRanges) {
      for (let code = first; code <= last; code += 1) {
        const character = String.fromCharCode(code);
        if (
          character.normalize('NFKC') !== character ||
          /\p{M}/u.test(character) ||
          attachesAt(character, 0)
        ) {
          unstable.push(code.toString(16));
        }
      }
    }
    expect(unstable).toEqual([]);
  });

  it('treats as attaching every character that folds into something composing with its predecessor', () => {
    const composesOnto = /^[\p{M}\u1160-\u11FF]/u;
    const missing: string[] = [];
    for (let code = 0; code < 0x10000; code += 1) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const character = String.fromCharCode(code);
      if (composesOnto.test(character.normalize('NFKC')) && !attachesAt(character, 0)) {
        missing.push(code.toString(16));
      }
    }
    expect(missing).toEqual([]);
  });

  const alphabet = [
    ...'ab Ze1.,@-_',
    ...'中文机密。、',
    ...'ｓＥ１，＠　',
    ...'\u0301\u0323\u3099\uFF9E',
    ...'\u200B\u200D\u00AD\uFEFF',
    ...'ﬁ①²ｶｷ\u1100\u1161\u11A8가ㄱㅏ',
    '𝐬',
    '😀',
  ];
  const texts = fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }).map((parts) => parts.join(''));

  it('equals NFKC of the whole text with invisibles removed (property)', () => {
    fc.assert(
      fc.property(texts, (text) => {
        expect(normalizeForMatching(text).text).toBe(reference(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('maps every normalized span onto original text that normalizes to it (property)', () => {
    fc.assert(
      fc.property(texts, fc.nat(), fc.nat(), (text, a, b) => {
        const normalized = normalizeForMatching(text);
        const length = normalized.text.length;
        fc.pre(length > 0);
        const start = Math.min(a, b) % length;
        const end = start + 1 + (Math.max(a, b) % (length - start));
        const originalStart = normalized.toOriginal(start);
        const originalEnd = normalized.toOriginalEnd(end);
        expect(originalStart).toBeLessThan(originalEnd);
        // The original span normalizes to at least the normalized span: nothing is left out.
        expect(reference(text.slice(originalStart, originalEnd))).toContain(
          normalized.text.slice(start, end),
        );
        expect(normalized.toOriginal(length)).toBe(text.length);
      }),
      { numRuns: 2000 },
    );
  });
});
