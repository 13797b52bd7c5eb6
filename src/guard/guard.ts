import { inScope, type ScopeSubject } from '../budget/budget-scope.js';
import { ConfigError } from '../errors/index.js';
import { detectorMatcher } from './detectors.js';
import { GuardRuleError } from './guard-rule-error.js';
import type { GuardAction, GuardRuleConfig } from './guard-schema.js';
import { mergeSpans, redactText, scanText } from './scanner.js';
import { termMatcher } from './terms.js';
import type { DetectorName, Finding, Matcher } from './types.js';
import { regexMatcher } from './user-regex.js';

export type Direction = 'input' | 'output';

/** A configured rule with its matchers built once. Limit rules have none. */
export interface CompiledRule {
  name: string;
  action: GuardAction;
  config: GuardRuleConfig;
  matchers: Matcher[];
}

/** A finding with the rule's action: what the guard decided about one match. */
export interface Decision extends Finding {
  action: GuardAction;
}

/** Builds every rule's matchers; a regex that does not compile or cannot run in linear time is a `ConfigError`. */
export function compileRule(config: GuardRuleConfig): CompiledRule {
  try {
    const matchers: Matcher[] = [];
    for (const detector of config.detectors ?? []) {
      matchers.push(detectorMatcher(config.name, detector as DetectorName));
    }
    if (config.terms) {
      matchers.push(
        termMatcher(config.name, config.terms, {
          match: config.match,
          ...(config.label ? { label: config.label } : {}),
        }),
      );
    }
    if (config.regex !== undefined) {
      matchers.push(
        regexMatcher(config.name, config.regex, {
          ...(config.flags ? { flags: config.flags } : {}),
          ...(config.label ? { label: config.label } : {}),
        }),
      );
    }
    return { name: config.name, action: config.action, config, matchers };
  } catch (error) {
    if (GuardRuleError.isInstance(error)) {
      throw new ConfigError(error.message, { hint: 'fix the rule under "guardrails" in the config' });
    }
    throw error;
  }
}

/** The guard rules of a client: which apply to a call, and what they find in a text. */
export class Guard {
  readonly rules: readonly CompiledRule[];

  constructor(configs: readonly GuardRuleConfig[]) {
    this.rules = configs.map(compileRule);
  }

  /** Rules whose scope covers the call and that apply in `direction`. */
  rulesFor(subject: ScopeSubject, direction: Direction): CompiledRule[] {
    return this.rules.filter(
      (rule) => rule.config.apply.includes(direction) && inScope(rule.config, subject),
    );
  }

  /** Everything `rules` find in `text`, each with its rule's action, in text order. */
  static decide(text: string, rules: readonly CompiledRule[]): Decision[] {
    const matchers = rules.flatMap((rule) => rule.matchers);
    if (matchers.length === 0 || text === '') return [];
    const actions = new Map(rules.map((rule) => [rule.name, rule.action]));
    return scanText(text, matchers).map((finding) => ({ ...finding, action: actions.get(finding.rule)! }));
  }

  /** `text` with the matches of `rules` replaced by `[LABEL]`. */
  static redact(text: string, rules: readonly CompiledRule[]): string {
    const matchers = rules.flatMap((rule) => rule.matchers);
    if (matchers.length === 0 || text === '') return text;
    const findings = scanText(text, matchers);
    return findings.length === 0 ? text : redactText(text, mergeSpans(findings));
  }
}

/** `email`, `term`, `regex`: what matched, for errors, logs and metrics. */
export function matcherName(finding: Finding): string {
  return finding.detector ?? finding.kind;
}
