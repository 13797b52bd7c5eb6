import { LedgerError } from './ledger-error.js';

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // pg also takes `host=... user=...` strings, which may hold a password anywhere.
    return '(the configured connection string)';
  }
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/** Turns a pg error into one line naming the server (never the password) and what to check. */
export function postgresError(url: string, error: unknown): LedgerError {
  if (error instanceof LedgerError) return error;
  const where = redactUrl(url);
  const code = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code) : '';
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  const fields = { cause: error };
  if (networkCodes.has(code) || code.startsWith('08') || /timeout|terminated/i.test(message)) {
    return new LedgerError(`cannot reach the PostgreSQL ledger at ${where} (${message || code})`, {
      ...fields,
      hint: 'check ledger.url (LLMKIT_DATABASE_URL) and that the server is running and reachable from here',
      retryable: true,
    });
  }
  if (code === '28P01' || code === '28000') {
    return new LedgerError(`PostgreSQL refused the login for the ledger at ${where} (${message})`, {
      ...fields,
      hint: 'check the user and password in ledger.url and the server pg_hba.conf',
    });
  }
  if (code === '3D000') {
    return new LedgerError(`the ledger database at ${where} does not exist (${message})`, {
      ...fields,
      hint: 'create it (createdb) or fix the database name in ledger.url',
    });
  }
  if (code === '42501') {
    return new LedgerError(`the ledger user may not do this at ${where} (${message})`, {
      ...fields,
      hint: 'grant the user CREATE on the database once, or create the ledger schema as its owner',
    });
  }
  // 40xxx: serialization or deadlock; 53xxx: out of resources; 57P0x: server shutting down.
  const retryable = code.startsWith('40') || code.startsWith('53') || code.startsWith('57P');
  return new LedgerError(`PostgreSQL ledger at ${where}: ${message}`, { ...fields, retryable });
}
