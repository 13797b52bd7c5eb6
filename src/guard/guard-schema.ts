import { z } from 'zod';
import { scopeKinds } from '../budget/budget-schema.js';
import { GuardRuleError } from './guard-rule-error.js';
import { termMatcher } from './terms.js';
import { detectorNames } from './types.js';
import { regexMatcher } from './user-regex.js';

export const guardActions = ['block', 'redact', 'mask-logs'] as const;
export type GuardAction = (typeof guardActions)[number];
export const guardDirections = ['input', 'output'] as const;

const scopeMessage = `must be "global" or one of ${scopeKinds.map((kind) => `"${kind}:<name>"`).join(', ')}`;
const countMessage = 'must be a whole number > 0';
const count = z.number({ error: countMessage }).int({ error: countMessage }).min(1, { error: countMessage });

/**
 * One guard rule. It matches with exactly one of: built-in `detectors`, banned `terms`, a
 * `regex`, or input limits (`maxInputTokens`/`maxInputChars`, which always block).
 */
export const guardRuleSchema = z
  .strictObject(
    {
      /** Names the rule in errors, logs and metrics. */
      name: z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
        error: 'must be letters, digits, ".", "_" or "-", such as "pii" or "banned-terms"',
      }),
      detectors: z
        .array(z.string({ error: 'must be a detector name' }), { error: 'must be a list of detector names' })
        .optional(),
      terms: z
        .array(z.string({ error: 'must be a string' }), { error: 'must be a list of terms' })
        .optional(),
      /** `word` (default): an ASCII term never matches inside a longer ASCII word; `substring`: anywhere. */
      match: z.enum(['word', 'substring'], { error: 'must be "word" or "substring"' }).default('word'),
      regex: z.string({ error: 'must be a regular expression source such as "TICKET-\\\\d+"' }).optional(),
      /** Regex flags among i, m, s, u. */
      flags: z.string({ error: 'must be a string of flags such as "i"' }).optional(),
      /** What a redacted match becomes, without brackets: `TICKET` -> `[TICKET]`. */
      label: z
        .string({ error: 'must be a string' })
        .regex(/^[A-Z0-9_]+$/, { error: 'must be upper-case letters, digits or _, such as TICKET' })
        .optional(),
      maxInputTokens: count.optional(),
      maxInputChars: count.optional(),
      action: z.enum(guardActions, { error: `must be one of ${guardActions.join(', ')}` }).default('block'),
      /** Where the rule applies; limits apply to input only. */
      apply: z
        .array(z.enum(guardDirections, { error: 'must be "input" or "output"' }), {
          error: 'must be a list such as ["input", "output"]',
        })
        .min(1, { error: 'must name input, output or both' })
        .default(() => ['input' as const]),
      /** `global`, or `provider:deepseek`, `model:openai/gpt-4o`, `project:support`, `tag:x`, `user:u-7`, `key:team-a`. */
      scope: z
        .string({ error: scopeMessage })
        .regex(new RegExp(`^(global|(${scopeKinds.join('|')}):.+)$`), { error: scopeMessage })
        .default('global'),
    },
    { error: 'must be an object' },
  )
  .superRefine((rule, context) => {
    const kinds = [
      rule.detectors !== undefined && 'detectors',
      rule.terms !== undefined && 'terms',
      rule.regex !== undefined && 'regex',
      (rule.maxInputTokens !== undefined || rule.maxInputChars !== undefined) && 'limits',
    ].filter(Boolean);
    if (kinds.length !== 1) {
      context.addIssue({
        code: 'custom',
        message:
          kinds.length === 0
            ? 'needs one of detectors, terms, regex, maxInputTokens or maxInputChars'
            : `has ${kinds.join(' and ')}; give each rule one kind of matcher (split it into several rules)`,
      });
    }
    rule.detectors?.forEach((name, index) => {
      if (!(detectorNames as readonly string[]).includes(name)) {
        context.addIssue({
          code: 'custom',
          path: ['detectors', index],
          message: `"${name}" is not a detector; the detectors are ${detectorNames.join(', ')}`,
        });
      }
    });
    // Compiled here too, so a bad pattern is reported at load time with its file and key.
    const compile: Array<[keyof typeof rule, () => unknown]> = [
      [
        'regex',
        () =>
          rule.regex !== undefined &&
          regexMatcher(rule.name, rule.regex, rule.flags ? { flags: rule.flags } : {}),
      ],
      ['terms', () => rule.terms !== undefined && termMatcher(rule.name, rule.terms, { match: rule.match })],
    ];
    for (const [key, build] of compile) {
      try {
        build();
      } catch (error) {
        if (!GuardRuleError.isInstance(error)) throw error;
        context.addIssue({ code: 'custom', path: [key], message: error.detail });
      }
    }
    if (kinds[0] === 'limits' && rule.action !== 'block') {
      context.addIssue({ code: 'custom', path: ['action'], message: 'must be block for input limits' });
    }
    if (kinds[0] === 'limits' && rule.apply.includes('output')) {
      context.addIssue({ code: 'custom', path: ['apply'], message: 'must be ["input"] for input limits' });
    }
  });

/** Rule names key logs and metrics, so two rules may not share one. */
export const guardrailsSchema = z
  .array(guardRuleSchema, { error: 'must be a list of guard rules' })
  .superRefine((rules, context) => {
    const seen = new Set<string>();
    rules.forEach((rule, index) => {
      if (seen.has(rule.name)) {
        context.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `repeats the rule name "${rule.name}"; give each rule its own name`,
        });
      }
      seen.add(rule.name);
    });
  });

export type GuardRuleConfig = z.output<typeof guardRuleSchema>;
