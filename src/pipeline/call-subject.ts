import type { ScopeSubject } from '../budget/budget-scope.js';
import type { CallContext } from './call-context.js';

/** What a call is for scope matching (budgets, rate limit rules): its target and who it is for. */
export function callSubject(context: CallContext, target: { provider: string; model: string }): ScopeSubject {
  const { metadata, request } = context;
  return {
    provider: target.provider,
    model: target.model,
    key: metadata.gatewayKey,
    project: metadata.project,
    tags: metadata.tags,
    user: request.user ?? metadata.user,
  };
}
