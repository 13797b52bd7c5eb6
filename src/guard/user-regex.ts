import { setFlagsFromString } from 'node:v8';
import { GuardRuleError } from './guard-rule-error.js';
import { LinearRewriteError, toLinearPattern } from './linear-pattern.js';
import { labelPattern, type Matcher, type MatcherMatch } from './types.js';

export interface RegexMatcherOptions {
  /** Any of `i`, `m`, `s`, `u`; `g` is implied. */
  flags?: string;
  /** Placeholder for redaction, without brackets. Default `REDACTED`. */
  label?: string;
}

/**
 * The longest match a user regex is assumed to have, for the stream hold-back. A regex has no
 * bound in general; in a stream, a match is guaranteed to be found only if it is at most this long
 * and decided by at most this much text after its start (a longer one may be missed, or found cut
 * where deltas split it). `scanText` on whole texts has no such limit. Kept short because a stream
 * holds back this many characters before releasing any: ticket numbers, host names and code
 * names fit well within it.
 */
export const userRegexMaxMatchLength = 128;

const allowedFlags = 'imsu';
// Texts a pattern is tried on to find one that matches the empty string.
const emptyProbes = ['', 'a', ' ', 'a b\nc.', '0', '中文'];

let engine: { caseInsensitive: boolean; unicode: boolean } | undefined;

/**
 * Turns on V8's linear-time regex engine (the `l` flag) once, and finds out what it supports:
 * on Node 20 it refuses the `i` and `u` flags, which this module then works around.
 */
function linearEngine(): { caseInsensitive: boolean; unicode: boolean } {
  if (engine === undefined) {
    setFlagsFromString('--enable-experimental-regexp-engine');
    const accepts = (flags: string) => {
      try {
        new RegExp('a', flags);
        return true;
      } catch {
        return false;
      }
    };
    engine = { caseInsensitive: accepts('il'), unicode: accepts('ul') };
  }
  return engine;
}

/** The reason in V8's message, without its `Invalid regular expression: /.../flags: ` prefix. */
const syntaxReason = (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  return /^Invalid regular expression: \/.*\/[a-z]*: (.*)$/s.exec(message)?.[1] ?? message;
};

/**
 * Compiles a user regex so that no input can hang the process: it runs on V8's linear-time
 * engine (`--enable-experimental-regexp-engine` and the `l` flag), where matching takes time
 * linear in the text whatever the pattern. Backreferences and lookaround cannot run there and are
 * refused. Node 20's engine also refuses the `i` flag and `{n,m}` counts above 16, so when the
 * pattern does not compile as is, it is rewritten (case variants spelled out, counts expanded)
 * into the same language. The engine is slower than the default one (about 10 MB/s): the price
 * of a guarantee that a configured pattern cannot take the process down.
 */
export function regexMatcher(rule: string, pattern: string, options: RegexMatcherOptions = {}): Matcher {
  const shown = `/${pattern}/`;
  const flags = options.flags ?? '';
  const label = options.label ?? 'REDACTED';
  if (!labelPattern.test(label)) {
    throw new GuardRuleError(
      rule,
      `label "${label}" must be upper-case letters, digits or _, such as TICKET`,
    );
  }
  for (const [index, flag] of [...flags].entries()) {
    if (!allowedFlags.includes(flag) || flags.indexOf(flag) !== index) {
      throw new GuardRuleError(
        rule,
        `regex flag "${flag}" is not allowed (use each of i, m, s, u at most once; every match is found without g)`,
      );
    }
  }
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    throw new GuardRuleError(
      rule,
      `regex ${shown} does not compile: ${syntaxReason(error)} (fix the pattern)`,
    );
  }

  const support = linearEngine();
  let engineFlags = flags;
  if (flags.includes('u') && !support.unicode) {
    // A unicode pattern without unicode-only syntax means the same without the flag.
    if (/\\[pP]\{|\\u\{|[\uD800-\uDFFF]/.test(pattern)) {
      throw new GuardRuleError(
        rule,
        `regex ${shown} needs flag u, which the linear-time regex engine of Node ${process.versions.node} cannot run ` +
          '(write \\p{...}, \\u{...} and characters beyond U+FFFF without it, e.g. as explicit ranges)',
      );
    }
    engineFlags = engineFlags.replace('u', '');
  }
  let source = pattern;
  let regex: RegExp;
  try {
    regex = new RegExp(source, `${engineFlags}gl`);
  } catch {
    try {
      const foldCase = engineFlags.includes('i') && !support.caseInsensitive;
      source = toLinearPattern(pattern, foldCase);
      if (foldCase) engineFlags = engineFlags.replace('i', '');
      regex = new RegExp(source, `${engineFlags}gl`);
    } catch (error) {
      const reason = error instanceof LinearRewriteError ? error.reason : undefined;
      const why =
        reason === 'backreference' || reason === 'lookaround'
          ? 'backreferences and lookaround are not allowed in guard rules, so no input can hang the process; rewrite the pattern without them'
          : reason === 'too-large'
            ? 'its {n,m} repeats are too large for the linear-time engine; use smaller counts, or + and *'
            : 'the linear-time engine refuses it; simplify the pattern';
      throw new GuardRuleError(rule, `regex ${shown} cannot run in linear time (${why})`);
    }
  }

  const compiled = regex;
  for (const probe of emptyProbes) {
    compiled.lastIndex = 0;
    for (let match = compiled.exec(probe); match !== null; match = compiled.exec(probe)) {
      if (match[0] === '') {
        throw new GuardRuleError(
          rule,
          `regex ${shown} matches the empty string (an empty match cannot be redacted; make at least one character required, e.g. + instead of *)`,
        );
      }
    }
  }

  return {
    rule,
    kind: 'regex',
    maxMatchLength: userRegexMaxMatchLength,
    find(text, from = 0): MatcherMatch[] {
      const matches: MatcherMatch[] = [];
      compiled.lastIndex = from;
      for (let match = compiled.exec(text); match !== null; match = compiled.exec(text)) {
        // An empty match the probes missed (say `\b` between two words) is skipped, not reported.
        if (match[0] === '') {
          compiled.lastIndex = match.index + 1;
          continue;
        }
        matches.push({ start: match.index, end: match.index + match[0].length, label });
      }
      return matches;
    },
  };
}
