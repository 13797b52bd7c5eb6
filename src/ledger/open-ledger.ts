import type { LedgerConfig } from '../config/cost-schema.js';
import { LedgerError } from './ledger-error.js';
import type { CallLookup, LedgerStore } from './ledger-store.js';
import { openPostgresLedger } from './postgres-ledger.js';
import { openSqliteLedger } from './sqlite-ledger.js';

/**
 * Opens the store `config.backend` names. With `durability: 'sync'` SQLite fsyncs every commit
 * (synchronous=FULL): whoever asks for sync is paying for durability, so it should cover power
 * loss too, not only a killed process.
 */
export async function openLedger(config: LedgerConfig): Promise<LedgerStore & CallLookup> {
  if (config.backend === 'postgres') {
    if (!config.url) {
      throw new LedgerError('the ledger backend is postgres but ledger.url is not set', {
        hint: 'set ledger.url or LLMKIT_DATABASE_URL, e.g. postgres://user@127.0.0.1:5432/llmkit',
      });
    }
    return openPostgresLedger(config.url);
  }
  if (!config.path) {
    throw new LedgerError('the ledger backend is sqlite but ledger.path is not set', {
      hint: 'load the config with loadConfig(), which defaults it to <home>/llmkit.db, or set ledger.path',
    });
  }
  return openSqliteLedger(config.path, { synchronous: config.durability === 'sync' ? 'full' : 'normal' });
}
