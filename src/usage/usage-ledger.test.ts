import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerConfig } from '../config/cost-schema.js';
import { createLogger } from '../logging/logger.js';
import type { CallContext, CallRecord } from '../pipeline/call-context.js';
import { UsageLedger } from './usage-ledger.js';

const logger = createLogger({ level: 'silent', stderrLevel: 'silent' });
// The sink reads only the logger from the context, and only when a record fails.
const context = { logger } as unknown as CallContext;

function finished(requestId: string): CallRecord {
  return {
    requestId,
    mode: 'generate',
    provider: 'fake',
    model: 'fake-model',
    status: 'ok',
    error: undefined,
    result: undefined,
    attempts: [
      { attempt: 1, provider: 'fake', model: 'fake-model', startedAt: 1, latencyMs: 2, status: 'ok' },
    ],
    startedAt: 1,
    latencyMs: 2,
    ttftMs: undefined,
    usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
    usageSource: 'provider',
    costNanos: 5,
    metadata: { tags: [] },
  };
}

describe('UsageLedger sink: which calls wait for their row', () => {
  let folder: string;
  let ledger: UsageLedger | undefined;
  const open = (overrides: Partial<LedgerConfig>) => {
    const config: LedgerConfig = {
      enabled: true,
      backend: 'sqlite',
      path: join(folder, 'llmkit.db'),
      queueSize: 100,
      flushIntervalMs: 60_000,
      durability: 'buffered',
      ...overrides,
    };
    ledger = new UsageLedger(config, logger);
    return ledger;
  };
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'llmkit-usage-ledger-'));
  });
  afterEach(async () => {
    await ledger?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('buffered with room: the call goes on at once, its row queued', async () => {
    const usage = open({});
    expect(usage.sink(finished('a'), context)).toBeUndefined();
    await usage.flush();
    const db = new Database(join(folder, 'llmkit.db'), { readonly: true });
    expect(db.prepare('select count(*) from calls').pluck().get()).toBe(1);
    db.close();
  });

  it('sync: the call waits until its row is committed', async () => {
    const usage = open({ durability: 'sync' });
    const wait = usage.sink(finished('s'), context);
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    const db = new Database(join(folder, 'llmkit.db'), { readonly: true });
    expect(db.prepare('select request_id from calls').pluck().all()).toEqual(['s']);
    db.close();
  });

  it('buffered with a full queue: the call waits for room', async () => {
    const usage = open({ queueSize: 1 });
    expect(usage.sink(finished('first'), context)).toBeUndefined();
    const wait = usage.sink(finished('second'), context);
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    await usage.flush();
    const db = new Database(join(folder, 'llmkit.db'), { readonly: true });
    expect(db.prepare('select count(*) from calls').pluck().get()).toBe(2);
    db.close();
  });
});
