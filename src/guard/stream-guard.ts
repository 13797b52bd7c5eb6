import { attachesAt, normalizeForMatching } from './normalize.js';
import { redactText, sortFindings, toFinding } from './scanner.js';
import { type Finding, type Matcher, matchContext } from './types.js';

/** What one `push` or `flush` releases. */
export interface StreamGuardOutput {
  /** Text safe to pass on, with each finding replaced by `[LABEL]`. */
  text: string;
  /** Findings inside the released text, in offsets of the whole output so far (original text). */
  findings: Finding[];
}

/** Start of the last code point that is not attached to the one before it. */
function unstableStart(text: string): number {
  let index = text.length;
  while (index > 0) {
    const code = text.charCodeAt(index - 1);
    const pair =
      code >= 0xdc00 && code <= 0xdfff && index >= 2 && (text.charCodeAt(index - 2) & 0xfc00) === 0xd800;
    index -= pair ? 2 : 1;
    if (!attachesAt(text, index)) break;
  }
  return index;
}

/**
 * Guards model output that arrives in deltas: each `push` returns, redacted, the text whose
 * redaction no later delta can change, and holds back the rest. Concatenating every `text` of
 * `push`...`flush` gives exactly `redactText(whole, scanText(whole, matchers))`, whatever the split
 * (a property test checks it): no match is missed across a delta boundary and none is released
 * half redacted.
 *
 * Held back: for each matcher, the last `maxMatchLength + matchContext` normalized characters
 * (where a match could still start or change), the last character (a combining mark in the next
 * delta could fold it), and any match still open, such as a token whose end has not arrived.
 * Each push rescans only that tail plus the delta, and each matcher resumes where its last
 * decided match or position left off, so the work is linear in the output. Relies on the locality
 * every `Matcher` promises; a user regex whose matches run past its `maxMatchLength` may differ.
 */
export class StreamGuard {
  private readonly matchers: Matcher[];
  /** Per matcher, how far past a start it may look before its match there is decided. */
  private readonly reach: number[];
  /** The output not dropped yet: original text from `tailStart` to the end so far. */
  private tail = '';
  private tailStart = 0;
  /** Original offset up to which text has been released. */
  private released = 0;
  /** Per matcher, the normalized offset in the current tail where its next scan starts. */
  private readonly resume: number[];
  /** Decided findings not released yet. */
  private pending: Finding[] = [];
  private flushed = false;

  constructor(matchers: Matcher[]) {
    this.matchers = [...matchers];
    this.reach = this.matchers.map((matcher) => matcher.maxMatchLength + matchContext);
    this.resume = this.matchers.map(() => 0);
  }

  /** Adds the next delta of output; returns what can be released now. */
  push(delta: string): StreamGuardOutput {
    if (this.flushed) throw new Error('StreamGuard.push called after flush; create a new guard per stream');
    if (delta === '') return { text: '', findings: [] };
    this.tail += delta;
    return this.advance(false);
  }

  /** Ends the stream: releases everything still held back. */
  flush(): StreamGuardOutput {
    if (this.flushed) return { text: '', findings: [] };
    this.flushed = true;
    return this.advance(true);
  }

  private advance(final: boolean): StreamGuardOutput {
    const normalized = normalizeForMatching(this.tail);
    const text = normalized.text;
    // Normalized text up to here cannot change any more; past it, the next delta may fold it.
    const stable = final ? text.length : normalized.toNormalized(unstableStart(this.tail));
    let release = this.tailStart + this.tail.length;

    this.matchers.forEach((matcher, index) => {
      const reach = this.reach[index]!;
      let next = this.resume[index]!;
      let open = Number.POSITIVE_INFINITY;
      for (const match of matcher.find(text, next)) {
        if (!final && (match.start + reach > stable || match.end + matchContext > stable)) {
          // Could still grow, shrink or vanish: scan again from its start next time.
          open = match.start;
          break;
        }
        this.pending.push(toFinding(matcher, match, normalized, this.tailStart));
        next = match.end;
      }
      // Positions this far from the unstable end are decided, match or not; later ones are not,
      // even those before an open match: more text may start a match there (`\w+$`).
      next = final ? text.length : Math.min(open, Math.max(next, stable - reach + 1));
      this.resume[index] = next;
      release = Math.min(release, this.tailStart + normalized.toOriginal(next));
    });

    // A decided finding that crosses the release point would be cut in two: release before it.
    sortFindings(this.pending);
    for (let moved = true; moved; ) {
      moved = false;
      for (const finding of this.pending) {
        if (finding.start >= release) break;
        if (finding.end > release) {
          release = finding.start;
          moved = true;
          break;
        }
      }
    }
    release = Math.max(release, this.released);

    const findings: Finding[] = [];
    const kept: Finding[] = [];
    for (const finding of this.pending) (finding.start < release ? findings : kept).push(finding);
    this.pending = kept;
    const from = this.released - this.tailStart;
    const output = redactText(
      this.tail.slice(from, release - this.tailStart),
      findings.map((finding) => ({
        ...finding,
        start: finding.start - this.released,
        end: finding.end - this.released,
      })),
    );
    this.released = release;
    this.dropDecidedText(normalized, release);
    return { text: output, findings };
  }

  /**
   * Drops text no longer needed: everything before the release point and before every matcher's
   * resume position, minus `matchContext` normalized characters kept for lookbehinds. The cut falls
   * on a cluster boundary, so normalizing the rest gives the same text as before, shifted.
   */
  private dropDecidedText(normalized: ReturnType<typeof normalizeForMatching>, release: number): void {
    const keepFrom = Math.min(normalized.toNormalized(release - this.tailStart), ...this.resume);
    const cutNormal = keepFrom - matchContext;
    if (cutNormal <= 0) return;
    const cut = normalized.toOriginal(cutNormal);
    if (cut <= 0 || attachesAt(this.tail, cut) || (this.tail.charCodeAt(cut) & 0xfc00) === 0xdc00) return;
    const shift = normalized.toNormalized(cut);
    for (let index = 0; index < this.resume.length; index += 1) this.resume[index]! -= shift;
    this.tail = this.tail.slice(cut);
    this.tailStart += cut;
  }
}
