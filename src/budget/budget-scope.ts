import type { BudgetConfig } from './budget-schema.js';

/** What a call is, for matching budget scopes. */
export interface ScopeSubject {
  provider: string;
  model: string;
  key?: string | undefined;
  project?: string | undefined;
  tags: readonly string[];
  user?: string | undefined;
}

/** Whether `budget` covers the call: `global`, or its `kind:value` names the call's provider, model... */
export function inScope(budget: Pick<BudgetConfig, 'scope'>, subject: ScopeSubject): boolean {
  if (budget.scope === 'global') return true;
  const colon = budget.scope.indexOf(':');
  const kind = budget.scope.slice(0, colon);
  const value = budget.scope.slice(colon + 1);
  switch (kind) {
    case 'provider':
      return subject.provider === value;
    case 'model':
      // `model:deepseek/deepseek-chat`, or a bare `model:gpt-4o` for that id at any provider.
      return value.includes('/') ? `${subject.provider}/${subject.model}` === value : subject.model === value;
    case 'key':
      return subject.key === value;
    case 'project':
      return subject.project === value;
    case 'tag':
      return subject.tags.includes(value);
    case 'user':
      return subject.user === value;
    default:
      return false;
  }
}

export function budgetName(budget: BudgetConfig): string {
  return budget.name ?? `${budget.scope}/${budget.period}`;
}
