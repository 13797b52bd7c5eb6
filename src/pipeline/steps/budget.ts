import type { Budgets } from '../../budget/budgets.js';
import type { Usage } from '../../providers/types.js';
import { callSubject } from '../call-subject.js';
import type { NamedStep } from '../pipeline.js';

export interface BudgetServices {
  budgets: Budgets;
  cost(provider: string, model: string, usage: Usage): number | null;
}

/**
 * Reserves the call's worst case on every budget in scope (the configured ones, and the caller's
 * key budget, `key:<name>`) before anything is sent, so
 * committed spend cannot pass a hard limit however many calls run at once. The settle step
 * turns the reservation into the actual cost and releases the rest.
 */
export function budgetStep(services: BudgetServices): NamedStep {
  const { budgets } = services;
  return {
    name: 'budget',
    async run(context, next) {
      const preflight = context.preflight;
      const keyPolicy = context.keyPolicy;
      if (!preflight || (budgets.configs.length === 0 && !keyPolicy?.budget)) return next();
      const { provider, model } = preflight;
      const { request } = context;
      const active = budgets.active(callSubject(context, preflight));
      const keyBudget = keyPolicy && budgets.forKey(keyPolicy);
      if (keyBudget) active.push(keyBudget);
      if (active.length === 0) return next();
      const hard = active.filter((budget) => budget.line.hard);
      let maxOutput = preflight.maxOutputTokens;
      if (maxOutput === undefined && hard.length > 0) {
        // No bound on output means no bound on cost: the reservation's assumption becomes the call's max_tokens.
        maxOutput = budgets.settings.defaultMaxOutputTokens;
        request.maxTokens = maxOutput;
      }
      const choices = request.n ?? 1;
      const input = preflight.inputTokens;
      const costOf = (output: number) =>
        services.cost(provider, model, {
          inputTokens: input,
          outputTokens: output,
          totalTokens: input + output,
        });
      const worst = costOf((maxOutput ?? 0) * choices);
      if (worst === null && hard.some((budget) => budget.line.limitNanos !== null)) {
        const budget = hard.find((candidate) => candidate.line.limitNanos !== null)!;
        throw budgets
          .refusal(budget, undefined, 0)
          .withDetail(
            `budget "${budget.name}" is in US dollars but ${provider}/${model} has no known price, so its cost cannot be bounded; add it under "prices" in the config`,
          );
      }
      const clamp = hard.some((budget) => budget.budget.onExceed === 'clamp');
      const minimum = clamp ? (costOf(choices) ?? 0) : undefined;
      let outcome: Awaited<ReturnType<typeof budgets.store.reserve>>;
      try {
        outcome = await budgets.store.reserve(
          active.map((budget) => budget.line),
          {
            requestId: context.requestId,
            amountNanos: worst ?? 0,
            tokens: input + (maxOutput ?? 0) * choices,
            ...(minimum === undefined ? {} : { minimumNanos: minimum }),
            expiresAt: Date.now() + budgets.settings.reservationTtlMs,
          },
        );
      } catch (error) {
        // Fail closed by default: an unreachable store must not let a hard budget be overrun.
        if (budgets.isUnavailable(error) && (hard.length === 0 || budgets.settings.hardFailMode === 'open')) {
          context.logger.warn({ err: error }, 'budget store unreachable: the call goes on unbudgeted');
          return next();
        }
        throw error;
      }
      if (!outcome.ok) {
        const refusing = active.find((budget) => budget.line.key === outcome.refusedBy) ?? hard[0]!;
        const state = outcome.lines.find((line) => line.key === refusing.line.key);
        throw budgets.refusal(refusing, state, worst ?? 0);
      }
      context.budget = { active };
      if (worst !== null && outcome.reservedNanos < worst && maxOutput !== undefined) {
        const fitted = largestFitting(
          maxOutput,
          (output) => costOf(output * choices) ?? 0,
          outcome.reservedNanos,
        );
        if (request.maxCompletionTokens !== undefined) request.maxCompletionTokens = fitted;
        else request.maxTokens = fitted;
        context.logger.info(
          { requestId: context.requestId, maxTokens: fitted },
          'budget clamped max tokens to fit',
        );
      }
      return next();
    },
  };
}

/** The most output tokens (≥ 1) whose cost stays within `room`; cost grows with tokens. */
function largestFitting(upper: number, cost: (tokens: number) => number, room: number): number {
  let low = 1;
  let high = upper;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (cost(middle) <= room) low = middle;
    else high = middle - 1;
  }
  return low;
}
