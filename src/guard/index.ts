export { detectorMatcher } from './detectors.js';
export { GuardRuleError } from './guard-rule-error.js';
export { type NormalizedText, normalizeForMatching } from './normalize.js';
export { mergeSpans, redactText, scanText } from './scanner.js';
export { StreamGuard, type StreamGuardOutput } from './stream-guard.js';
export { type TermMatcherOptions, termMatcher } from './terms.js';
export {
  type DetectorName,
  detectorNames,
  type Finding,
  type Matcher,
  type MatcherMatch,
  matchContext,
} from './types.js';
export { type RegexMatcherOptions, regexMatcher, userRegexMaxMatchLength } from './user-regex.js';
