import { LedgerError } from './ledger-error.js';

const keepFile = 'llmkit never deletes or rewrites it';

/**
 * Turns a better-sqlite3 error into one line that names the file and what to do. Nothing here
 * touches the file: a ledger that cannot be read is the user's billing record, so the fix is
 * theirs to choose.
 */
export function sqliteError(path: string, error: unknown, busyTimeoutMs: number): LedgerError {
  if (error instanceof LedgerError) return error;
  const code = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    return new LedgerError(`ledger file ${path} is not a valid SQLite database (${message})`, {
      hint: `move it aside or restore it from a backup, or set ledger.path to another file; ${keepFile}`,
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new LedgerError(
      `ledger file ${path} is locked by another connection (waited ${busyTimeoutMs} ms)`,
      {
        hint: 'another process holds a long write transaction on it; end that process, or set ledger.path to another file',
        retryable: true,
        cause: error,
      },
    );
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_PERM') ||
    code.startsWith('SQLITE_READONLY')
  ) {
    return new LedgerError(`cannot open ledger file ${path} for writing (${message})`, {
      hint: 'check that its folder exists and that this user may write to the file and its folder',
      cause: error,
    });
  }
  if (code === 'SQLITE_FULL') {
    return new LedgerError(`ledger file ${path}: the disk is full`, {
      hint: 'free disk space; rows are kept in memory and retried meanwhile',
      retryable: true,
      cause: error,
    });
  }
  return new LedgerError(`ledger file ${path}: ${message}`, {
    retryable: code.startsWith('SQLITE_IOERR'),
    cause: error,
  });
}
