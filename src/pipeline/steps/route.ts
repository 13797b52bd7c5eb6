import type { NamedStep } from '../pipeline.js';

/** Picks the provider and model for the call. Fallbacks and load balancing will live here. */
export const routeStep: NamedStep = {
  name: 'route',
  run(context, next) {
    context.target = context.resolveTarget(context.modelName);
    return next();
  },
};
