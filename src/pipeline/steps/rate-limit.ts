import type { NamedStep } from '../pipeline.js';

/** Placeholder: the rate-limit helper owns this file. Enforces rpm/tpm per key and scope. */
export function rateLimitStep(): NamedStep {
  return { name: 'rate-limit', run: (_context, next) => next() };
}
