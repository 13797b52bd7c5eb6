import { type NormalizedText, normalizeForMatching } from './normalize.js';
import type { Finding, Matcher, MatcherMatch } from './types.js';

/** A matcher's match as a finding, in offsets of the original text (plus `offset`). */
export function toFinding(
  matcher: Matcher,
  match: MatcherMatch,
  normalized: NormalizedText,
  offset = 0,
): Finding {
  const finding: Finding = {
    rule: matcher.rule,
    kind: matcher.kind,
    start: offset + normalized.toOriginal(match.start),
    end: offset + normalized.toOriginalEnd(match.end),
    label: match.label,
  };
  if (match.detector !== undefined) finding.detector = match.detector;
  return finding;
}

const text = (value: string | undefined) => value ?? '';
const compare = (a: string | undefined, b: string | undefined) =>
  text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0;

/**
 * Sorts findings in place into the one order used everywhere: by start, the longer first at one
 * start, then by rule, kind, label and detector, so the order never depends on matcher order or
 * on how a stream was split.
 */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      a.start - b.start ||
      b.end - a.end ||
      compare(a.rule, b.rule) ||
      compare(a.kind, b.kind) ||
      compare(a.label, b.label) ||
      compare(a.detector, b.detector),
  );
}

/**
 * Every match of every matcher in `text`, in offsets of `text` itself, sorted by start.
 * The text is normalized once for all matchers. Overlapping findings of different matchers are
 * all returned: whether an email inside a banned phrase counts once or twice is the caller's call.
 */
export function scanText(text: string, matchers: Matcher[]): Finding[] {
  if (text === '' || matchers.length === 0) return [];
  const normalized = normalizeForMatching(text);
  const findings: Finding[] = [];
  for (const matcher of matchers) {
    for (const match of matcher.find(normalized.text)) findings.push(toFinding(matcher, match, normalized));
  }
  return sortFindings(findings);
}

/**
 * Resolves overlaps for redaction: the earliest start wins, then the longest. A loser that runs
 * past the winner keeps its remainder (as `[EMAIL][TERM]`), so no matched character is ever left
 * in clear. The result is sorted and free of overlaps; the findings passed in are not changed.
 */
export function mergeSpans(findings: Finding[]): Finding[] {
  const sorted = sortFindings([...findings]);
  const merged: Finding[] = [];
  let covered = 0;
  for (const finding of sorted) {
    if (finding.end <= covered || finding.end <= finding.start) continue;
    merged.push(finding.start < covered ? { ...finding, start: covered } : finding);
    covered = finding.end;
  }
  return merged;
}

/** `text` with each finding replaced by `[LABEL]`; overlapping findings are merged first (see `mergeSpans`). */
export function redactText(text: string, findings: Finding[]): string {
  if (findings.length === 0) return text;
  let redacted = '';
  let copied = 0;
  for (const finding of mergeSpans(findings)) {
    redacted += `${text.slice(copied, finding.start)}[${finding.label}]`;
    copied = finding.end;
  }
  return redacted + text.slice(copied);
}
