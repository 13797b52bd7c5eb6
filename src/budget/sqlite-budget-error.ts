import { sqliteFailure } from '../sqlite/sqlite-failure.js';
import { BudgetStoreUnavailableError } from './store-unavailable-error.js';

/**
 * Turns a better-sqlite3 error into one line that names the budget file and what to do, like the
 * ledger's sqliteError. Nothing here touches the file: recreating it would reset every budget to
 * zero spent, so the fix is the user's to choose.
 */
export function sqliteBudgetError(
  path: string,
  error: unknown,
  busyTimeoutMs: number,
): BudgetStoreUnavailableError {
  if (error instanceof BudgetStoreUnavailableError) return error;
  const { detail, hint, retryable } = sqliteFailure(error, busyTimeoutMs, {
    file: `budget file ${path}`,
    setting: 'budgetSettings.path',
    busy: 'end that process, or set budgetSettings.path to another file',
    full: 'free disk space',
    other: 'check the file and its disk',
  });
  return new BudgetStoreUnavailableError(detail, {
    ...(hint === undefined ? {} : { hint }),
    retryable,
    cause: error,
  });
}
