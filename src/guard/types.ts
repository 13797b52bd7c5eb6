/** The built-in detectors a guard rule can name. */
export const detectorNames = ['email', 'phone', 'cn-id', 'bank-card', 'ip', 'secret'] as const;
export type DetectorName = (typeof detectorNames)[number];

/** One match, in UTF-16 offsets of the ORIGINAL (un-normalized) text, end exclusive. */
export interface Finding {
  /** Name of the matcher's rule. */
  rule: string;
  kind: 'detector' | 'term' | 'regex';
  /** Set for kind `detector`. */
  detector?: DetectorName;
  start: number;
  end: number;
  /**
   * Placeholder used by redaction without brackets: EMAIL, PHONE, CN_ID, BANK_CARD, IP, SECRET,
   * TERM, or a regex rule's own label (default REDACTED).
   */
  label: string;
}

/** One match of a matcher, in offsets of the normalized text it was given. */
export interface MatcherMatch {
  start: number;
  end: number;
  label: string;
  detector?: DetectorName;
}

/**
 * A compiled matcher: built once, run on many texts.
 *
 * Every matcher must be *local*, which is what lets `StreamGuard` rescan only the tail of a
 * stream: whether a match starts at position p depends only on the normalized characters from
 * `p - matchContext` to `p + maxMatchLength + matchContext` (a match may run on past that, as long
 * as text up to `matchContext` characters after its end decides where it ends); a match starts
 * where it was found (`find(text, match.start)` finds it again); and the matches of one matcher
 * never overlap (the scan resumes at the end of each match, like a global regex).
 */
export interface Matcher {
  rule: string;
  kind: Finding['kind'];
  /**
   * Longest text a single match can span, in normalized characters, for the stream hold-back;
   * finite. Strictly: how far past its start a match is decided, as a token detector's match may
   * run on over the rest of its token (see above). Normalized rather than original: the original
   * may hold any number of zero-width characters inside a match, so no finite bound exists there.
   */
  maxMatchLength: number;
  /**
   * Finds matches in already normalized text (see normalize.ts); offsets in the normalized text.
   * With `from`, the search starts there and the text before it serves only as context (for
   * lookbehinds and word boundaries): it yields the matches a search from 0 finds at or after
   * `from`, provided no match of that search spans `from`.
   */
  find(normalized: string, from?: number): MatcherMatch[];
}

/**
 * How far before a match start and after a match end a matcher may look (lookbehind, lookahead,
 * word boundaries), in normalized characters. The stream guard keeps this much context.
 */
export const matchContext = 16;

/** What a redaction label may be: it is shown as `[LABEL]`, so nothing that could read as text. */
export const labelPattern = /^[A-Z0-9_]+$/;
