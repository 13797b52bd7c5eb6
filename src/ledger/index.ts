export { LedgerError, type LedgerErrorFields } from './ledger-error.js';
export type {
  AttemptRow,
  CallLookup,
  CallRow,
  CallStatus,
  GroupBy,
  LedgerStore,
  StoredCall,
  Summary,
  SummaryQuery,
  SummaryRow,
} from './ledger-store.js';
export { groupByValues } from './ledger-store.js';
export { LedgerWriter, type LedgerWriterOptions } from './ledger-writer.js';
export { openLedger } from './open-ledger.js';
export { openPostgresLedger, type PostgresLedgerOptions } from './postgres-ledger.js';
export { schemaVersion as ledgerSchemaVersion } from './schema-version.js';
export { openSqliteLedger, type SqliteLedgerOptions, type SqliteLedgerStore } from './sqlite-ledger.js';
