import { exitCodes, LlmkitError, type LlmkitErrorFields } from '../../errors/llmkit-error.js';

const defaultHint = 'check gateway.keysPath (`llmkit config check` shows it) and the file';
const keepFile = 'llmkit never deletes or rewrites it';

export interface KeyStoreErrorFields extends LlmkitErrorFields {
  hint?: string;
  /** Whether the same operation may succeed later (a lock), as opposed to a corrupt file. */
  retryable?: boolean;
}

/** The gateway key file could not be opened, read or written. Names the file. */
export class KeyStoreError extends LlmkitError {
  override readonly code = 'key_store';
  override readonly exitCode = exitCodes.other;
  override readonly retryable: boolean;
  constructor(detail: string, fields: KeyStoreErrorFields = {}) {
    super(detail, fields.hint ?? defaultHint, fields);
    this.retryable = fields.retryable ?? false;
  }
}

/** Turns a better-sqlite3 error into one line naming the key file and what to do. */
export function keyStoreError(path: string, error: unknown, busyTimeoutMs: number): KeyStoreError {
  if (error instanceof KeyStoreError) return error;
  const code = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    return new KeyStoreError(`gateway key file ${path} is not a valid SQLite database (${message})`, {
      hint: `move it aside or restore it from a backup, or set gateway.keysPath to another file; ${keepFile}`,
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new KeyStoreError(
      `gateway key file ${path} is locked by another connection (waited ${busyTimeoutMs} ms)`,
      {
        hint: 'another process holds a long write transaction on it; end that process and retry',
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
    return new KeyStoreError(`cannot open gateway key file ${path} for writing (${message})`, {
      hint: 'check that its folder exists and that this user may write to the file and its folder',
      cause: error,
    });
  }
  if (code === 'SQLITE_FULL') {
    return new KeyStoreError(`gateway key file ${path}: the disk is full`, {
      hint: 'free disk space',
      retryable: true,
      cause: error,
    });
  }
  return new KeyStoreError(`gateway key file ${path}: ${message}`, {
    hint: `check the file and its disk; ${keepFile}`,
    retryable: code.startsWith('SQLITE_IOERR'),
    cause: error,
  });
}
