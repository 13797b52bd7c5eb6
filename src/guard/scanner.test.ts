import { describe, expect, it } from 'vitest';
import { detectorMatcher } from './detectors.js';
import { mergeSpans, redactText, scanText } from './scanner.js';
import { termMatcher } from './terms.js';
import type { Finding } from './types.js';
import { regexMatcher } from './user-regex.js';

const finding = (start: number, end: number, label: string): Finding => ({
  rule: 'r',
  kind: 'term',
  start,
  end,
  label,
});

describe('scanText', () => {
  it('returns every finding of every matcher, overlapping ones included, sorted by start', () => {
    const text = '机密：mail me at secret@example.com or 13800138000';
    const findings = scanText(text, [
      termMatcher('banned', ['secret', '机密']),
      detectorMatcher('pii', 'email'),
      detectorMatcher('pii', 'phone'),
    ]);
    expect(findings.map((found) => [found.rule, found.label, text.slice(found.start, found.end)])).toEqual([
      ['banned', 'TERM', '机密'],
      ['pii', 'EMAIL', 'secret@example.com'],
      ['banned', 'TERM', 'secret'],
      ['pii', 'PHONE', '13800138000'],
    ]);
  });

  it('finds nothing in empty text or without matchers', () => {
    expect(scanText('', [detectorMatcher('pii', 'email')])).toEqual([]);
    expect(scanText('a@example.com', [])).toEqual([]);
  });

  it('gives offsets in the original text when folding changes lengths before a match', () => {
    const text = '𝐀𝐁 ﬁ\u200B\u200B a@example.com';
    const [email] = scanText(text, [detectorMatcher('pii', 'email')]);
    expect(text.slice(email!.start, email!.end)).toBe('a@example.com');
  });
});

describe('mergeSpans', () => {
  it('lets the earliest start win, then the longest', () => {
    const merged = mergeSpans([
      finding(5, 8, 'B'),
      finding(0, 4, 'A'),
      finding(0, 6, 'LONG'),
      finding(2, 3, 'C'),
    ]);
    expect(merged.map((found) => [found.start, found.end, found.label])).toEqual([
      [0, 6, 'LONG'],
      [6, 8, 'B'],
    ]);
  });

  it('keeps the remainder of a loser that runs past the winner, and never changes its input', () => {
    const input = [finding(0, 10, 'EMAIL'), finding(6, 14, 'TERM')];
    expect(mergeSpans(input).map((found) => [found.start, found.end, found.label])).toEqual([
      [0, 10, 'EMAIL'],
      [10, 14, 'TERM'],
    ]);
    expect(input[1]).toMatchObject({ start: 6, end: 14 });
  });

  it('drops findings fully inside a winner and empty findings', () => {
    expect(mergeSpans([finding(0, 10, 'A'), finding(2, 5, 'B'), finding(12, 12, 'C')])).toHaveLength(1);
  });
});

describe('redactText', () => {
  it('replaces each merged span with [LABEL]', () => {
    const text = 'mail secret@example.com, ticket TICKET-42, 请联系13800138000谢谢';
    const findings = scanText(text, [
      detectorMatcher('pii', 'email'),
      detectorMatcher('pii', 'phone'),
      termMatcher('banned', ['secret']),
      regexMatcher('tickets', 'TICKET-\\d+', { label: 'TICKET' }),
    ]);
    expect(redactText(text, findings)).toBe('mail [EMAIL], ticket [TICKET], 请联系[PHONE]谢谢');
    expect(redactText(text, mergeSpans(findings))).toBe(redactText(text, findings));
  });

  it('returns the text unchanged without findings', () => {
    expect(redactText('nothing here', [])).toBe('nothing here');
  });

  it('redacts evasions over their whole original extent', () => {
    const text = 'the ｓｅ\u200Bｃｒｅｔ plan';
    expect(redactText(text, scanText(text, [termMatcher('banned', ['secret'])]))).toBe('the [TERM] plan');
  });
});
