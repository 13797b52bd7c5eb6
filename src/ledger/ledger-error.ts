import { exitCodes, LlmkitError, type LlmkitErrorFields } from '../errors/llmkit-error.js';

const defaultHint = 'check ledger.backend, ledger.path and ledger.url; `llmkit config check` shows them';

export interface LedgerErrorFields extends LlmkitErrorFields {
  /** One line telling the human what to do about this particular failure. */
  hint?: string;
  /** Whether writing again later may succeed (a lock or a connection), as opposed to a corrupt file. */
  retryable?: boolean;
}

/** The usage ledger's storage failed: a file that is not a database, a lock, an unreachable server. */
export class LedgerError extends LlmkitError {
  override readonly code = 'ledger';
  override readonly exitCode = exitCodes.other;
  override readonly retryable: boolean;
  constructor(detail: string, fields: LedgerErrorFields = {}) {
    super(detail, fields.hint ?? defaultHint, fields);
    this.retryable = fields.retryable ?? false;
  }
}
