import { GuardRuleError } from './guard-rule-error.js';
import { normalizeForMatching } from './normalize.js';
import { labelPattern, type Matcher, type MatcherMatch } from './types.js';

export interface TermMatcherOptions {
  /**
   * `word` (default): a term whose first (last) character is an ASCII letter or digit cannot start
   * (end) inside an ASCII word, so `ass` does not hit `class`; CJK edges always match, as Chinese
   * has no spaces between words (`机密` hits `这是机密文件`). `substring`: anywhere.
   */
  match?: 'word' | 'substring';
  /** Placeholder for redaction, without brackets. Default `TERM`. */
  label?: string;
}

interface TrieNode {
  next: Map<number, TrieNode>;
  /** A term ends here. */
  terminal: boolean;
}

const isAsciiAlphanumeric = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

// Simple lower-case mapping per UTF-16 unit, filled on first use (0 = not computed yet). One unit
// in, one unit out keeps offsets; the few characters whose lower case is longer keep their case.
const lowerCase = new Uint16Array(0x10000);
function foldCase(code: number): number {
  if (code < 128) return code >= 65 && code <= 90 ? code + 32 : code;
  let folded = lowerCase[code]!;
  if (folded === 0) {
    const lower = String.fromCharCode(code).toLowerCase();
    folded = lower.length === 1 ? lower.charCodeAt(0) : code;
    lowerCase[code] = folded;
  }
  return folded;
}

const pairHash = (first: number, second: number) => ((first << 6) ^ second) & 0xffff;

/**
 * A matcher for banned terms, compared after the same folding as the text (NFKC, invisibles
 * removed) and case-insensitively, so `ｓｅｃｒｅｔ`, `se\u200Bcret` and `SECRET` all hit `secret`.
 * At each position the longest term wins. Terms sit in a trie walked only from positions whose
 * first two characters begin some term, so the cost grows little with the number of terms; each
 * position is tried once with at most the longest term's length of steps.
 */
export function termMatcher(rule: string, terms: string[], options: TermMatcherOptions = {}): Matcher {
  const wordMode = (options.match ?? 'word') === 'word';
  const label = options.label ?? 'TERM';
  if (!labelPattern.test(label)) {
    throw new GuardRuleError(rule, `label "${label}" must be upper-case letters, digits or _, such as TERM`);
  }
  if (terms.length === 0) throw new GuardRuleError(rule, 'has no terms (list at least one term to match)');
  const root: TrieNode = { next: new Map(), terminal: false };
  // Per UTF-16 unit of the text: 0 if no term starts with it, 2 if a one-character term is it,
  // 1 otherwise.
  const starts = new Uint8Array(0x10000);
  // The first two (folded) characters of every longer term, hashed: most word starts in prose
  // share a first letter with some term, few share the first two, and this rules them out
  // without walking the trie.
  const pairs = new Uint8Array(0x10000);
  let maxMatchLength = 0;
  terms.forEach((term, index) => {
    const folded = normalizeForMatching(term).text;
    if (folded.trim() === '') {
      throw new GuardRuleError(
        rule,
        `term ${index + 1} of ${terms.length} is empty (remove it, or give it visible characters)`,
      );
    }
    maxMatchLength = Math.max(maxMatchLength, folded.length);
    let node = root;
    for (let position = 0; position < folded.length; position += 1) {
      const code = foldCase(folded.charCodeAt(position));
      let next = node.next.get(code);
      if (next === undefined) {
        next = { next: new Map(), terminal: false };
        node.next.set(code, next);
      }
      node = next;
    }
    node.terminal = true;
    const first = foldCase(folded.charCodeAt(0));
    const mark = folded.length === 1 ? 2 : 1;
    for (const variant of [
      String.fromCharCode(first),
      String.fromCharCode(first).toUpperCase(),
      String.fromCharCode(first).toLowerCase(),
    ]) {
      const unit = variant.charCodeAt(0);
      if (variant.length === 1) starts[unit] = Math.max(starts[unit]!, mark);
    }
    if (folded.length > 1) pairs[pairHash(first, foldCase(folded.charCodeAt(1)))] = 1;
  });

  return {
    rule,
    kind: 'term',
    maxMatchLength,
    find(text, from = 0): MatcherMatch[] {
      const matches: MatcherMatch[] = [];
      const length = text.length;
      /** End of the longest term starting at `index`, or -1. */
      const longestAt = (index: number): number => {
        if (
          starts[text.charCodeAt(index)] === 1 &&
          (index + 1 === length ||
            pairs[pairHash(foldCase(text.charCodeAt(index)), foldCase(text.charCodeAt(index + 1)))] === 0)
        ) {
          return -1;
        }
        let node: TrieNode | undefined = root;
        let best = -1;
        for (let position = index; position < length; position += 1) {
          const character = text.charCodeAt(position);
          node = node.next.get(foldCase(character));
          if (node === undefined) break;
          const endsInWord =
            wordMode &&
            position + 1 < length &&
            isAsciiAlphanumeric(character) &&
            isAsciiAlphanumeric(text.charCodeAt(position + 1));
          if (node.terminal && !endsInWord) best = position + 1;
        }
        return best;
      };
      let index = from;
      while (index < length) {
        const code = text.charCodeAt(index);
        if (wordMode && code < 128 && isAsciiAlphanumeric(code)) {
          // No term starts inside an ASCII word: try its first letter, then skip the rest of it.
          const wordStart = index === 0 || !isAsciiAlphanumeric(text.charCodeAt(index - 1));
          const end = wordStart && starts[code] !== 0 ? longestAt(index) : -1;
          if (end !== -1) {
            matches.push({ start: index, end, label });
            index = end;
            continue;
          }
          index += 1;
          while (index < length && isAsciiAlphanumeric(text.charCodeAt(index))) index += 1;
          continue;
        }
        const end = starts[code] !== 0 ? longestAt(index) : -1;
        if (end === -1) {
          index += 1;
          continue;
        }
        matches.push({ start: index, end, label });
        index = end;
      }
      return matches;
    },
  };
}
