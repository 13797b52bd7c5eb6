import { exitCodes, LlmkitError, type LlmkitErrorFields } from '../errors/llmkit-error.js';

const defaultHint =
  'check that Redis answers at budgetSettings.redisUrl (LLMKIT_REDIS_URL); until it does, budgetSettings.hardFailMode decides whether calls under hard budgets are refused (closed, the default) or let through unbudgeted (open)';

export interface BudgetStoreUnavailableFields extends LlmkitErrorFields {
  /** One line telling the human what to do about this particular failure. */
  hint?: string;
  /** Whether the same operation may succeed later (a lock, a connection), as opposed to a corrupt file. */
  retryable?: boolean;
}

/**
 * The budget store could not be asked: Redis unreachable or too slow, a SQLite file locked past
 * its busy timeout or not a database. Nothing was reserved or settled by the failed operation
 * (except that a Redis command which timed out may still run later; see docs/budgets-stores.md).
 * The budget step reads `code` to apply `budgetSettings.hardFailMode`.
 */
export class BudgetStoreUnavailableError extends LlmkitError {
  override readonly code = 'budget_store_unavailable';
  override readonly exitCode = exitCodes.refused;
  override readonly retryable: boolean;
  constructor(detail: string, fields: BudgetStoreUnavailableFields = {}) {
    super(detail, fields.hint ?? defaultHint, fields);
    this.retryable = fields.retryable ?? true;
  }
}
