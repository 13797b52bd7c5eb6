import type { RateLimiter } from '../../rate-limit/rate-limiter.js';
import type { NamedStep } from '../pipeline.js';

export interface RateLimitServices {
  limiter: RateLimiter;
}

/**
 * Admits the call under its key's rpm/tpm and the `rateLimits` rules in scope, or refuses it
 * with RateLimitedError before anything is sent (the budget step, outside, then releases its
 * reservation). A call with no applicable limit passes straight through. Token limits count an
 * estimate here; `limiter.sink`, at settle, corrects it to what the call used.
 */
export function rateLimitStep(services: RateLimitServices): NamedStep {
  const { limiter } = services;
  return {
    name: 'rate-limit',
    async run(context, next) {
      const limits = limiter.limitsFor(context);
      if (limits.length > 0) await limiter.admit(context, limits);
      return next();
    },
  };
}
