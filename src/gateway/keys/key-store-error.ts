import { exitCodes, LlmkitError, type LlmkitErrorFields } from '../../errors/llmkit-error.js';
import { sqliteFailure } from '../../sqlite/sqlite-failure.js';

const defaultHint = 'check gateway.keysPath (`llmkit config check` shows it) and the file';

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
  const { detail, hint, retryable } = sqliteFailure(error, busyTimeoutMs, {
    file: `gateway key file ${path}`,
    setting: 'gateway.keysPath',
    busy: 'end that process and retry',
    full: 'free disk space',
    other: 'check the file and its disk',
  });
  return new KeyStoreError(detail, { ...(hint === undefined ? {} : { hint }), retryable, cause: error });
}
