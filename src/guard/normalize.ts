/** Text prepared for matching, with the way back to the original text's offsets. */
export interface NormalizedText {
  text: string;
  /**
   * Original offset of normalized position `index`, for the start of a span: a position inside the
   * output of one folded character maps to that character's start. `toOriginal(text.length)` is the
   * original length.
   */
  toOriginal(index: number): number;
  /**
   * Original offset of normalized position `index`, for the end of a span: a position inside the
   * output of one folded character maps to that character's end, so `[toOriginal(s),
   * toOriginalEnd(e))` covers every original character the span was made from, zero-width ones
   * inside it included.
   */
  toOriginalEnd(index: number): number;
  /** Smallest normalized position whose original offset is at or after original offset `index`. */
  toNormalized(index: number): number;
}

/**
 * Characters that need no folding and never change their neighbours: NFKC-stable starters that
 * no later mark composes onto differently (verified for every one in normalize.test.ts). Prose in
 * English, Chinese, Japanese and Korean is almost all in here, so it stays on the fast path.
 */
export const stableRanges: ReadonlyArray<readonly [number, number]> = [
  [0x00, 0x7f],
  [0xa1, 0xa7],
  [0xa9, 0xa9],
  [0xab, 0xac],
  [0xae, 0xae],
  [0xb0, 0xb1],
  [0xb6, 0xb7],
  [0xbb, 0xbb],
  [0xbf, 0xff],
  [0x2010, 0x2010],
  [0x2012, 0x2016],
  [0x2018, 0x2023],
  [0x2027, 0x2027],
  [0x2030, 0x2030],
  [0x2032, 0x2032],
  [0x2035, 0x2035],
  [0x2039, 0x203b],
  [0x3001, 0x3003],
  [0x3005, 0x301f],
  [0x3041, 0x3096],
  [0x309d, 0x309e],
  [0x30a1, 0x30fa],
  [0x30fc, 0x30fe],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xac00, 0xd7a3],
];
const stable = new Uint8Array(0x10000);
for (const [first, last] of stableRanges) stable.fill(1, first, last + 1);

/**
 * A first pass over the bulk of prose (ASCII, CJK ideographs, kana, Hangul, 。、): a class of a
 * few ranges scans several times faster than one of all `stableRanges`, whose hits are then
 * checked in the table above.
 */
const attention = /[^\x00-\x7F\u3001\u3002\u4E00-\u9FFF\uAC00-\uD7A3\u3041-\u3096\u30A1-\u30FA]/g;

/** Index of the next character at or after `from` that needs folding, or -1. */
function nextUnstable(text: string, from: number): number {
  attention.lastIndex = from;
  while (attention.test(text)) {
    const index = attention.lastIndex - 1;
    if (stable[text.charCodeAt(index)] === 0) return index;
  }
  return -1;
}

/**
 * Invisible characters dropped before matching: they are how `se\u200Bcret` dodges a filter.
 * Zero-width space/non-joiner/joiner, word joiner and invisible operators, BOM, soft hyphen and the
 * Mongolian vowel separator.
 */
const invisibles = /[\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF]/g;

/**
 * Characters that attach to the character before them: marks (which NFKC may compose onto their
 * base), Hangul vowel and final jamo and the compatibility and half-width jamo that NFKC turns
 * into them, half-width kana voicing marks and Thai/Lao sara am (NFKC turns them into marks), and
 * the invisibles, so that `e\u200B\u0301` folds like `e\u0301`. normalize.test.ts checks that no
 * other character folds into something that composes with what precedes it.
 */
const attaching =
  /[\p{M}\u00AD\u0E33\u0EB3\u1160-\u11FF\u180E\u200B-\u200D\u2060-\u2064\u3131-\u318E\uFEFF\uFF9E-\uFFDC]/uy;

/** Whether the code point at `index` attaches to the one before it (see `attaching`). */
export function attachesAt(text: string, index: number): boolean {
  if (index >= text.length) return false;
  const code = text.charCodeAt(index);
  if (code < 0x300) return code === 0xad;
  // Ideographs and Hangul syllables, the bulk of CJK text, skip the regex.
  if ((code >= 0x3400 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7a3)) return false;
  attaching.lastIndex = index;
  return attaching.test(text);
}

function codePointLength(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code < 0xd800 || code > 0xdbff) return 1;
  const next = text.charCodeAt(index + 1);
  return next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
}

const foldCache = new Map<string, string>();
const foldCacheLimit = 4096;

function fold(cluster: string): string {
  let folded = foldCache.get(cluster);
  if (folded === undefined) {
    folded = cluster.replace(invisibles, '').normalize('NFKC');
    // Bounded so that text full of distinct rare characters cannot grow memory without end.
    if (foldCache.size >= foldCacheLimit) foldCache.clear();
    foldCache.set(cluster, folded);
  }
  return folded;
}

const same = (index: number) => index;

/**
 * Folds text the way a filter should see it: NFKC (full-width `１３８`/`ＡＢＣ`/`，`, ligatures,
 * mathematical letters such as `𝐬𝐤`), invisible characters removed, U+3000 to a space. Case is
 * kept so ASCII stays length-preserving; matchers compare case-insensitively.
 *
 * Built for throughput: text with nothing to fold is returned as is after one scan; otherwise
 * unchanged runs are copied with `slice`, full-width ASCII is folded arithmetically, and only the
 * rare remaining characters go through `String.prototype.normalize`, one cluster (a character and
 * the marks attached to it) at a time. The result equals NFKC of the whole text with invisibles
 * removed. Offsets map back through a sparse list holding only the clusters whose length changed.
 */
export function normalizeForMatching(text: string): NormalizedText {
  let index = nextUnstable(text, 0);
  if (index === -1) return { text, toOriginal: same, toOriginalEnd: same, toNormalized: same };

  const pieces: string[] = [];
  // One entry per cluster whose folded length differs (or that folded to different characters):
  // where it starts and how long it is, in the normalized text and in the original.
  const normalStarts: number[] = [];
  const normalLengths: number[] = [];
  const originalStarts: number[] = [];
  const originalLengths: number[] = [];
  let copied = 0;
  let length = 0;
  while (index !== -1) {
    const code = text.charCodeAt(index);
    if (((code >= 0xff01 && code <= 0xff5e) || code === 0x3000) && !attachesAt(text, index + 1)) {
      if (index > copied) pieces.push(text.slice(copied, index));
      pieces.push(String.fromCharCode(code === 0x3000 ? 0x20 : code - 0xfee0));
      length += index + 1 - copied;
      copied = index + 1;
      index = nextUnstable(text, copied);
      continue;
    }
    // A mark or invisible takes the character before it along: NFKC may compose the two. That
    // character is never part of an earlier cluster, which would have taken this mark already.
    const start = index > copied && attachesAt(text, index) ? index - 1 : index;
    let end = index + codePointLength(text, index);
    while (attachesAt(text, end)) end += codePointLength(text, end);
    const cluster = text.slice(start, end);
    const folded = fold(cluster);
    if (start > copied) pieces.push(text.slice(copied, start));
    length += start - copied;
    if (folded !== cluster && (folded.length !== 1 || cluster.length !== 1)) {
      normalStarts.push(length);
      normalLengths.push(folded.length);
      originalStarts.push(start);
      originalLengths.push(cluster.length);
    }
    pieces.push(folded);
    length += folded.length;
    copied = end;
    index = nextUnstable(text, copied);
  }
  if (copied < text.length) pieces.push(text.slice(copied));
  const normalized = pieces.join('');

  /** Index of the last entry whose key is <= value (< value when strict), or -1. */
  const lastEntry = (keys: number[], value: number, strict: boolean): number => {
    let low = 0;
    let high = keys.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const key = keys[middle]!;
      if (strict ? key < value : key <= value) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  };
  const after = (entry: number, index: number) =>
    originalStarts[entry]! + originalLengths[entry]! + (index - normalStarts[entry]! - normalLengths[entry]!);

  return {
    text: normalized,
    toOriginal(index) {
      const entry = lastEntry(normalStarts, index, false);
      if (entry < 0) return index;
      if (index < normalStarts[entry]! + normalLengths[entry]!) return originalStarts[entry]!;
      return after(entry, index);
    },
    toOriginalEnd(index) {
      const entry = lastEntry(normalStarts, index, true);
      if (entry < 0) return index;
      if (index <= normalStarts[entry]! + normalLengths[entry]!) {
        return originalStarts[entry]! + originalLengths[entry]!;
      }
      return after(entry, index);
    },
    toNormalized(index) {
      const entry = lastEntry(originalStarts, index, true);
      if (entry < 0) return index;
      const originalEnd = originalStarts[entry]! + originalLengths[entry]!;
      const normalEnd = normalStarts[entry]! + normalLengths[entry]!;
      return index <= originalEnd ? normalEnd : normalEnd + (index - originalEnd);
    },
  };
}
