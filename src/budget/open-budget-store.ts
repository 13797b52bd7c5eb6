import { ConfigError } from '../errors/index.js';
import type { BudgetSettings } from './budget-schema.js';
import type { BudgetStore } from './budget-store.js';
import { openRedisBudgetStore } from './redis-budget-store.js';
import { openSqliteBudgetStore } from './sqlite-budget-store.js';

/** The store the settings name: SQLite in `<home>/budgets.db` by default, Redis to share across instances. */
export function openBudgetStore(settings: BudgetSettings): BudgetStore {
  if (settings.store === 'redis') {
    if (!settings.redisUrl) {
      throw new ConfigError('budgetSettings.store is "redis" but no budgetSettings.redisUrl is set', {
        hint: 'set LLMKIT_REDIS_URL (e.g. redis://127.0.0.1:6379/0) or budgetSettings.redisUrl',
      });
    }
    return openRedisBudgetStore(settings.redisUrl);
  }
  return openSqliteBudgetStore(settings.path ?? 'budgets.db');
}
