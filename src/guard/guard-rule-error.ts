const brand = Symbol.for('llmkit.guard-rule-error');

/**
 * A guard rule that cannot be compiled: a regex that does not parse or could not run in linear
 * time, an unknown flag or detector, an empty term list. The message is one line naming the
 * rule, the problem and the fix; the config layer wraps it into its own error with the file and
 * key. Not an `LlmkitError` so this module stays self-contained; the `Symbol.for` brand makes
 * `isInstance` work across two copies of the package, where `instanceof` does not.
 */
export class GuardRuleError extends Error {
  protected readonly [brand] = true;
  /** Name of the rule at fault. */
  readonly rule: string;
  /** The problem and its fix, without the rule name. */
  readonly detail: string;

  constructor(rule: string, detail: string) {
    super(`guard rule "${rule}": ${detail}`);
    this.name = 'GuardRuleError';
    this.rule = rule;
    this.detail = detail;
  }

  static isInstance(error: unknown): error is GuardRuleError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[brand] === true;
  }
}
