import { LedgerError } from './ledger-error.js';

/**
 * Version of the ledger tables this code writes; stored in the `meta` table of every ledger.
 * 1: first layout. 2: `calls.cache` (`hit`, `miss` or NULL) replaces the never-set `cache_hit`.
 */
export const schemaVersion = 2;

/**
 * Refuses a ledger written by a newer llmkit: writing rows in an older shape into newer tables
 * could corrupt them, so the old code stops instead of guessing.
 */
export function checkSchemaVersion(found: number, where: string): void {
  if (!Number.isInteger(found) || found < 1) {
    throw new LedgerError(`the ledger at ${where} has an unreadable schema_version (${found})`, {
      hint: 'the meta table was edited by hand or by another program; restore it from a backup',
    });
  }
  if (found > schemaVersion) {
    throw new LedgerError(
      `the ledger at ${where} has schema version ${found}, newer than the ${schemaVersion} this llmkit knows`,
      {
        hint: 'upgrade llmkit to the version that wrote it, or point the ledger at another file or database',
      },
    );
  }
}
