import { InvalidRequestError } from '../../errors/index.js';
import type { ModelRequest, Usage } from '../../providers/types.js';
import type { Preflight } from '../call-context.js';
import type { NamedStep } from '../pipeline.js';

export interface PreflightServices {
  countInput(request: ModelRequest, provider: string, model: string): { tokens: number; exact: boolean };
  limits(
    provider: string,
    model: string,
  ): { contextWindow?: number | undefined; maxOutputTokens?: number | undefined };
  cost(provider: string, model: string, usage: Usage): number | null;
}

/*
 * An estimate (another vendor's tokenizer) can be off by a few percent either way. Refusing a
 * request the model would have taken is worse than letting the provider refuse it, so an
 * estimated count must be clearly over the window before we refuse.
 */
const estimateTolerance = 1.1;

/**
 * Counts the input before anything is sent, refuses a prompt that cannot fit the model's
 * context window (nothing is spent), and prices the worst case: the input plus the most
 * output the call may produce. Budgets reserve that figure.
 */
export function preflightStep(services: PreflightServices): NamedStep {
  return {
    name: 'preflight',
    run(context, next) {
      const { provider, model } = context.planTarget(context.modelName);
      const request = context.request;
      const counted = services.countInput(request, provider, model);
      const { contextWindow, maxOutputTokens: modelMaxOutput } = services.limits(provider, model);
      const requestedOutput = request.maxCompletionTokens ?? request.maxTokens;
      if (contextWindow !== undefined) {
        const needed = counted.tokens + (requestedOutput ?? 0);
        const limit = counted.exact ? contextWindow : contextWindow * estimateTolerance;
        if (needed > limit) {
          const what = requestedOutput
            ? `${counted.tokens} input + ${requestedOutput} max output tokens`
            : `${counted.tokens} input tokens`;
          throw new InvalidRequestError(
            `${what}${counted.exact ? '' : ' (estimated)'} exceed the ${contextWindow}-token context window of ${provider}/${model}`,
            {
              provider,
              model,
              hint: 'shorten the prompt, lower max tokens, or choose a model with a larger context window',
            },
          );
        }
      }
      const maxOutputTokens =
        requestedOutput ??
        modelMaxOutput ??
        (contextWindow === undefined ? undefined : contextWindow - counted.tokens);
      const choices = request.n ?? 1;
      const worstOutput = (maxOutputTokens ?? 0) * choices;
      const preflight: Preflight = {
        provider,
        model,
        inputTokens: counted.tokens,
        exact: counted.exact,
        contextWindow,
        maxOutputTokens,
        worstCaseCostNanos:
          maxOutputTokens === undefined
            ? null
            : services.cost(provider, model, {
                inputTokens: counted.tokens,
                outputTokens: worstOutput,
                totalTokens: counted.tokens + worstOutput,
              }),
      };
      context.preflight = preflight;
      return next();
    },
  };
}
