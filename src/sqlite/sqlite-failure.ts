/** What a SQLite file's owner (the ledger, the budget store, the key store) says about it. */
export interface SqliteFileWords {
  /** How the file is named in messages: `ledger file /srv/.llmkit/llmkit.db`. */
  file: string;
  /** The setting that points llmkit at another file: `ledger.path`. */
  setting: string;
  /** What to do when another connection holds the lock, after "another process holds...; ". */
  busy: string;
  /** What to do when the disk is full. */
  full: string;
  /** What to do about any other failure; the error class's default hint when absent. */
  other?: string;
}

/** One line about a better-sqlite3 failure, for the owner to wrap in its own error class. */
export interface SqliteFailure {
  detail: string;
  hint: string | undefined;
  /** Whether the same operation may succeed later (a lock, a full disk, an I/O error). */
  retryable: boolean;
}

const keepFile = 'llmkit never deletes or rewrites it';

/**
 * Reads better-sqlite3's error code once for every store: a file that is not a database, a lock
 * held too long, a file that cannot be opened for writing, a full disk, anything else. Nothing
 * here touches the file: what it holds (billing, spend, keys) is the user's to fix.
 */
export function sqliteFailure(error: unknown, busyTimeoutMs: number, words: SqliteFileWords): SqliteFailure {
  const code = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    return {
      detail: `${words.file} is not a valid SQLite database (${message})`,
      hint: `move it aside or restore it from a backup, or set ${words.setting} to another file; ${keepFile}`,
      retryable: false,
    };
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return {
      detail: `${words.file} is locked by another connection (waited ${busyTimeoutMs} ms)`,
      hint: `another process holds a long write transaction on it; ${words.busy}`,
      retryable: true,
    };
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_PERM') ||
    code.startsWith('SQLITE_READONLY')
  ) {
    return {
      detail: `cannot open ${words.file} for writing (${message})`,
      hint: 'check that its folder exists and that this user may write to the file and its folder',
      retryable: false,
    };
  }
  if (code === 'SQLITE_FULL') {
    return { detail: `${words.file}: the disk is full`, hint: words.full, retryable: true };
  }
  return {
    detail: `${words.file}: ${message}`,
    hint: words.other === undefined ? undefined : `${words.other}; ${keepFile}`,
    retryable: code.startsWith('SQLITE_IOERR'),
  };
}
