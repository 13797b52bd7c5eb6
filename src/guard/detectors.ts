import { isIPv6 } from 'node:net';
import { isChineseIdNumber, passesLuhn } from './checksums.js';
import { GuardRuleError } from './guard-rule-error.js';
import { type DetectorName, detectorNames, type Matcher, type MatcherMatch } from './types.js';

// Every pattern here runs on untrusted text, so each one is linear: a candidate may only start
// where a run starts (a lookbehind rejects the positions inside a run in one step), and every
// quantifier is bounded, so the work per start is bounded too. Tokens longer than a bound are
// extended in code over the rest of their run, which is linear as well.

type Span = readonly [start: number, end: number];
/** Checks a regex candidate; returns the span to report, or undefined to try the next position. */
type Accept = (match: RegExpExecArray, text: string) => Span | undefined;

interface Detector {
  label: string;
  /** See `Matcher.maxMatchLength`. */
  maxMatchLength: number;
  find(text: string, from: number): Span[];
}

/**
 * Runs a global regex from `from`, resuming after each accepted match and one position after each
 * rejected one, so the result at any position depends only on the text around it (see `Matcher`).
 */
function scan(regex: RegExp, text: string, from: number, accept?: Accept): Span[] {
  const spans: Span[] = [];
  regex.lastIndex = from;
  for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
    const span = accept === undefined ? ([match.index, regex.lastIndex] as const) : accept(match, text);
    if (span === undefined) {
      regex.lastIndex = match.index + 1;
      continue;
    }
    spans.push(span);
    regex.lastIndex = span[1];
  }
  return spans;
}

const isDigit = (code: number) => code >= 48 && code <= 57;
const isAsciiAlphanumeric = (code: number) =>
  isDigit(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
const isEmailLocal = (code: number) =>
  isAsciiAlphanumeric(code) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45;

// ---- email: found from each `@`, which is rare in prose, rather than from every word.

const maxLocalLength = 64;
/**
 * Longest domain looked at. DNS allows 253, but every character of bound is a character a stream
 * must hold back before releasing text; real domains are far shorter.
 */
const maxDomainLength = 100;
const isDomainCharacter = (code: number) => isAsciiAlphanumeric(code) || code === 45 || code === 46;
const domainLabel = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const topLevelDomain = /^[A-Za-z]{2,24}$/;

/** End of the domain after the `@` at `at`, or -1 if what follows is not one. */
function domainEnd(text: string, at: number): number {
  const limit = at + 1 + maxDomainLength;
  let end = at + 1;
  while (end < text.length && end < limit && isDomainCharacter(text.charCodeAt(end))) end += 1;
  if (end === limit && end < text.length && isDomainCharacter(text.charCodeAt(end))) return -1;
  let domain = text.slice(at + 1, end);
  // Stop at an empty label and before a final dot: a sentence may end right after the address.
  const doubleDot = domain.indexOf('..');
  if (doubleDot !== -1) domain = domain.slice(0, doubleDot);
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  const labels = domain.split('.');
  if (labels.length < 2 || !topLevelDomain.test(labels.at(-1)!)) return -1;
  return labels.every((label) => domainLabel.test(label)) ? at + 1 + domain.length : -1;
}

const email: Detector = {
  label: 'EMAIL',
  maxMatchLength: maxLocalLength + 1 + maxDomainLength,
  find(text, from) {
    const spans: Span[] = [];
    let lower = from;
    for (let at = text.indexOf('@', from); at !== -1; ) {
      // The local part is the whole run of local characters before `@`, as if a regex were
      // anchored at the run's start: `x@a.com_y@b.com` holds one address, not two.
      let start = at;
      while (start > lower && at - start <= maxLocalLength && isEmailLocal(text.charCodeAt(start - 1))) {
        start -= 1;
      }
      const runStart = start === 0 || !isEmailLocal(text.charCodeAt(start - 1));
      const end = start < at && at - start <= maxLocalLength && runStart ? domainEnd(text, at) : -1;
      if (end !== -1) {
        spans.push([start, end]);
        lower = end;
        at = text.indexOf('@', end);
        continue;
      }
      at = text.indexOf('@', at + 1);
    }
    return spans;
  },
};

// ---- phone: Chinese mobile numbers (3-4-4, optional +86/86/0086), else E.164.

const phonePattern =
  /(?<![0-9+])(?:(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}|\+[1-9](?:[ -]?[0-9]){7,14})(?![0-9])/g;
const phone: Detector = {
  label: 'PHONE',
  maxMatchLength: 1 + 15 + 14,
  find: (text, from) => scan(phonePattern, text, from),
};

// ---- cn-id: 17 digits and a check character, with checksum and birth date validated.

const idPattern = /(?<![0-9])[1-8][0-9]{16}[0-9Xx](?![0-9])/g;
const chineseId: Detector = {
  label: 'CN_ID',
  maxMatchLength: 18,
  find: (text, from) =>
    scan(idPattern, text, from, (match, value) =>
      isChineseIdNumber(value, match.index) ? [match.index, match.index + 18] : undefined,
    ),
};

// ---- bank-card: 13-19 digits starting 2-6, optionally grouped, Luhn-valid.

const cardPattern = /(?<![0-9])[2-6][0-9]{3}(?:[ -]?[0-9]){9,15}(?![0-9])/g;

/** The longest prefix ending at a group boundary that is a card number, as the regex prefers long. */
const acceptCard: Accept = (match) => {
  const start = match.index;
  const candidate = match[0];
  for (let end = candidate.length; end > 0; end -= 1) {
    // Only where a group ends: the next character is a separator (or there is none).
    if (end < candidate.length && isDigit(candidate.charCodeAt(end))) continue;
    const digits = candidate.slice(0, end).replace(/[ -]/g, '');
    if (digits.length < 13) break;
    if (digits.length > 19) continue;
    if (!passesLuhn(digits)) continue;
    // An identity number also passes Luhn one time in ten; it is the more specific reading.
    if (digits.length === 18 && isChineseIdNumber(digits)) continue;
    return [start, start + end];
  }
  return undefined;
};
const bankCard: Detector = {
  label: 'BANK_CARD',
  maxMatchLength: 19 + 15,
  find: (text, from) => scan(cardPattern, text, from, acceptCard),
};

// ---- ip: dotted IPv4, or an IPv6 candidate checked by node:net.

const octet = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const ipv4Pattern = new RegExp(`(?<![0-9A-Za-z_.])${octet}(?:\\.${octet}){3}(?![0-9A-Za-z_]|\\.[0-9])`, 'g');
const maxIpv6Length = 45;
const isIpv6Run = (code: number) =>
  isDigit(code) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102) || code === 58 || code === 46;
const continuesIpv6 = (code: number) =>
  isAsciiAlphanumeric(code) || code === 95 || code === 58 || code === 46;

/**
 * The first IPv6 address at or after `from`: a whole run of hex digits, colons and dots (45
 * characters at most) between characters that cannot continue it, so `std::vector` and
 * `12:30:45` never qualify. Found from each colon, which prose rarely holds, rather than from
 * every word that starts with a hex letter.
 */
function nextIpv6(text: string, from: number): Span | undefined {
  for (let colon = text.indexOf(':', from); colon !== -1; ) {
    let start = colon;
    while (start > from && colon - start < maxIpv6Length && isIpv6Run(text.charCodeAt(start - 1))) start -= 1;
    let end = colon + 1;
    while (end < text.length && isIpv6Run(text.charCodeAt(end))) end += 1;
    const bounded =
      end - start <= maxIpv6Length &&
      (start === 0 || !continuesIpv6(text.charCodeAt(start - 1))) &&
      (end === text.length || !continuesIpv6(text.charCodeAt(end)));
    if (bounded) {
      // A sentence may end right after the address.
      const last = text.charCodeAt(end - 1) === 46 ? end - 1 : end;
      const candidate = text.slice(start, last);
      // Requiring a digit keeps hex words joined by colons (`cafe::bad`, C++ `a::b`) out; real
      // addresses without one are vanishingly rare.
      if (candidate !== '::' && /[0-9]/.test(candidate) && isIPv6(candidate)) return [start, last];
    }
    colon = text.indexOf(':', end);
  }
  return undefined;
}

const ip: Detector = {
  label: 'IP',
  maxMatchLength: maxIpv6Length,
  find(text, from) {
    // Leftmost first; at one start IPv4 wins, as alternatives of one regex would.
    const spans: Span[] = [];
    let ipv4: Span | undefined | null = null;
    let ipv6: Span | undefined | null = null;
    for (let position = from; ; ) {
      if (ipv4 === null || (ipv4 !== undefined && ipv4[0] < position)) {
        ipv4Pattern.lastIndex = position;
        const match = ipv4Pattern.exec(text);
        ipv4 = match === null ? undefined : [match.index, ipv4Pattern.lastIndex];
      }
      if (ipv6 === null || (ipv6 !== undefined && ipv6[0] < position)) ipv6 = nextIpv6(text, position);
      const next = ipv4 === undefined || (ipv6 !== undefined && ipv6[0] < ipv4[0]) ? ipv6 : ipv4;
      if (next === undefined) return spans;
      spans.push(next);
      position = next[1];
    }
  },
};

// ---- secret: API keys and tokens with a recognisable shape.

const secretPattern = new RegExp(
  '(?<![A-Za-z0-9_-])(?:' +
    [
      '(sk-)[A-Za-z0-9_-]{20}',
      '(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])',
      'gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])',
      '(github_pat_)[A-Za-z0-9_]{22}',
      'AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])',
      '(xox[abprs]-)[A-Za-z0-9-]{10}',
      '([Bb][Ee][Aa][Rr][Ee][Rr][ \\t]{1,8})[A-Za-z0-9._~+/-]{16}',
    ].join('|') +
    ')',
  'g',
);
const tokenRuns = {
  'sk-': /[A-Za-z0-9_-]*/y,
  github_pat_: /[A-Za-z0-9_]*/y,
  xox: /[A-Za-z0-9-]*/y,
  bearer: /[A-Za-z0-9._~+/-]*={0,2}/y,
};
/** Extends a token over the rest of its run: keys have no fixed length, and a cut one leaks. */
const extend = (run: RegExp, text: string, end: number) => {
  run.lastIndex = end;
  run.test(text);
  return run.lastIndex;
};
const acceptSecret: Accept = (match, text) => {
  const start = match.index;
  const matchEnd = start + match[0].length;
  if (match[1] !== undefined) {
    const end = extend(tokenRuns['sk-'], text, matchEnd);
    // Hyphenated words (`sk-learn-...`) are all lower case; real keys are not.
    return /[0-9A-Z]/.test(text.slice(start + 3, end)) ? [start, end] : undefined;
  }
  if (match[2] !== undefined) return [start, extend(tokenRuns.github_pat_, text, matchEnd)];
  if (match[3] !== undefined) return [start, extend(tokenRuns.xox, text, matchEnd)];
  if (match[4] !== undefined) {
    // The finding covers `Bearer ` too: a match must start where it was found (see `Matcher`),
    // and the redacted header still reads `Authorization: [SECRET]`.
    let end = extend(tokenRuns.bearer, text, matchEnd);
    // A sentence may end right after the token; tokens never end in a dot.
    while (text.charCodeAt(end - 1) === 46) end -= 1;
    // `bearer responsibilities` is prose; tokens carry digits.
    return /[0-9]/.test(text.slice(start + match[4].length, end)) ? [start, end] : undefined;
  }
  return [start, matchEnd];
};
const secret: Detector = {
  label: 'SECRET',
  // Decided within this distance of the start (`ghp_` and 36 characters is the longest shape);
  // the token itself may run on (see `extend`).
  maxMatchLength: 4 + 36,
  find: (text, from) => scan(secretPattern, text, from, acceptSecret),
};

const detectors: Record<DetectorName, Detector> = {
  email,
  phone,
  'cn-id': chineseId,
  'bank-card': bankCard,
  ip,
  secret,
};

/**
 * A matcher for one built-in detector. Patterns are tuned for precision on mixed English and
 * Chinese text: numbers must stand alone (not inside a longer digit run), identity and card
 * numbers must pass their checksums, and tokens must have their issuer's shape.
 */
export function detectorMatcher(rule: string, detector: DetectorName): Matcher {
  const found = (detectors as Partial<Record<string, Detector>>)[detector];
  if (found === undefined) {
    throw new GuardRuleError(
      rule,
      `"${String(detector)}" is not a detector (use one of ${detectorNames.join(', ')})`,
    );
  }
  return {
    rule,
    kind: 'detector',
    maxMatchLength: found.maxMatchLength,
    find(normalized, from = 0): MatcherMatch[] {
      return found.find(normalized, from).map(([start, end]) => ({
        start,
        end,
        label: found.label,
        detector,
      }));
    },
  };
}
