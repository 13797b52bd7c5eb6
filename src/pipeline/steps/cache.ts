import type { NamedStep } from '../pipeline.js';

/** Placeholder: the cache helper owns this file. Answers exact repeats from the response cache. */
export function cacheStep(): NamedStep {
  return { name: 'cache', run: (_context, next) => next() };
}
