import { sqliteFailure } from '../sqlite/sqlite-failure.js';
import { LedgerError } from './ledger-error.js';

/**
 * Turns a better-sqlite3 error into one line that names the file and what to do. Nothing here
 * touches the file: a ledger that cannot be read is the user's billing record, so the fix is
 * theirs to choose.
 */
export function sqliteError(path: string, error: unknown, busyTimeoutMs: number): LedgerError {
  if (error instanceof LedgerError) return error;
  const { detail, hint, retryable } = sqliteFailure(error, busyTimeoutMs, {
    file: `ledger file ${path}`,
    setting: 'ledger.path',
    busy: 'end that process, or set ledger.path to another file',
    full: 'free disk space; rows are kept in memory and retried meanwhile',
  });
  return new LedgerError(detail, { ...(hint === undefined ? {} : { hint }), retryable, cause: error });
}
