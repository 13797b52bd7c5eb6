import { BudgetStoreUnavailableError } from './store-unavailable-error.js';

const keepFile = 'llmkit never deletes or rewrites it';

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
  const code = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    return new BudgetStoreUnavailableError(
      `budget file ${path} is not a valid SQLite database (${message})`,
      {
        hint: `move it aside or restore it from a backup, or set budgetSettings.path to another file; ${keepFile}`,
        retryable: false,
        cause: error,
      },
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new BudgetStoreUnavailableError(
      `budget file ${path} is locked by another connection (waited ${busyTimeoutMs} ms)`,
      {
        hint: 'another process holds a long write transaction on it; end that process, or set budgetSettings.path to another file',
        cause: error,
      },
    );
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_PERM') ||
    code.startsWith('SQLITE_READONLY')
  ) {
    return new BudgetStoreUnavailableError(`cannot open budget file ${path} for writing (${message})`, {
      hint: 'check that its folder exists and that this user may write to the file and its folder',
      retryable: false,
      cause: error,
    });
  }
  if (code === 'SQLITE_FULL') {
    return new BudgetStoreUnavailableError(`budget file ${path}: the disk is full`, {
      hint: 'free disk space',
      cause: error,
    });
  }
  return new BudgetStoreUnavailableError(`budget file ${path}: ${message}`, {
    hint: `check the file and its disk; ${keepFile}`,
    retryable: code.startsWith('SQLITE_IOERR'),
    cause: error,
  });
}
