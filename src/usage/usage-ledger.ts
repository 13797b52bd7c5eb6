import type { Logger } from 'pino';
import type { LedgerConfig } from '../config/cost-schema.js';
import {
  type LedgerStore,
  LedgerWriter,
  openLedger,
  openSqliteLedger,
  type Summary,
} from '../ledger/index.js';
import type { CallSink } from '../pipeline/steps/settle.js';
import { ledgerRows } from './ledger-rows.js';
import { type PeriodOptions, parseGroupBy, resolvePeriod } from './usage-period.js';

export interface SummaryOptions extends PeriodOptions {
  groupBy?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
}

// Ledgers a process forgot to close still get their buffered rows written before it exits.
const open = new Set<UsageLedger>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('beforeExit', () => {
    for (const ledger of open) void ledger.close();
  });
}

/**
 * The client's side of the ledger: turns each finished call into rows, hands them to the
 * writer (which never stalls a call), answers summaries, and flushes on close.
 */
export class UsageLedger {
  private readonly store: LedgerStore;
  private readonly writer: LedgerWriter;
  private readonly durability: LedgerConfig['durability'];
  private readonly queueSize: number;
  private closing: Promise<void> | undefined;

  constructor(config: LedgerConfig, logger: Logger) {
    this.durability = config.durability;
    this.queueSize = config.queueSize;
    // SQLite opens and is checked here, synchronously, so a corrupt or locked file fails the
    // client at construction with its name, not later inside a call; its inserts then run on the
    // ledger's writer thread (docs/ledger.md). PostgreSQL connects on first use.
    this.store =
      config.backend === 'sqlite'
        ? openSqliteLedger(config.path ?? 'llmkit.db', {
            synchronous: config.durability === 'sync' ? 'full' : 'normal',
          })
        : deferredStore(openLedger(config));
    this.writer = new LedgerWriter(this.store, {
      queueSize: config.queueSize,
      flushIntervalMs: config.flushIntervalMs,
      durability: config.durability,
      onError: (error, rows) =>
        logger.error({ err: error, rows }, 'usage ledger write failed; rows kept and retried'),
    });
    open.add(this);
    installExitHook();
  }

  /**
   * Settle sink. A library call refused before any attempt (bad input, budget) leaves no row; a
   * gateway request refused for bad input does (`refused`), so operators see what was turned away.
   */
  readonly sink: CallSink = (record, context) => {
    // A cache hit makes no attempt, yet it is a call answered: it gets its row (cost 0, `cache: hit`).
    if (record.attempts.length === 0 && !record.refused && record.cache !== 'hit') return;
    const { call, attempts } = ledgerRows(record);
    const recorded = this.writer.record(call, attempts).catch((error: unknown) => {
      context.logger.error({ err: error, requestId: record.requestId }, 'usage ledger record failed');
    });
    // Only a row that waits holds its call: in `sync` until it is committed, otherwise while the
    // queue is full (the row then counts past queueSize in `pending`). A buffered row with room
    // is already queued; handing settle its resolved promise would still cost every call an await.
    return this.durability === 'sync' || this.writer.pending > this.queueSize ? recorded : undefined;
  };

  async summary(options: SummaryOptions = {}): Promise<Summary> {
    const { since, until, timeZone } = resolvePeriod(options);
    await this.writer.flush();
    return this.store.summary({
      since,
      until,
      timeZone,
      groupBy: parseGroupBy(options.groupBy ?? 'model'),
      ...(options.provider === undefined ? {} : { provider: options.provider }),
      ...(options.model === undefined ? {} : { model: options.model }),
    });
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    this.closing ??= this.writer.close().finally(() => open.delete(this));
    return this.closing;
  }
}

function deferredStore(opening: Promise<LedgerStore>): LedgerStore {
  opening.catch(() => {}); // surfaced by the first write or summary
  return {
    backend: 'postgres',
    write: async (batch) => (await opening).write(batch),
    summary: async (query) => (await opening).summary(query),
    close: async () => (await opening.catch(() => undefined))?.close(),
  };
}
