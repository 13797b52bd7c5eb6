import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LedgerError } from './ledger-error.js';
import { attemptRow, callRow } from './ledger-store.case.js';
import type { CallLookup, CallRow, LedgerStore } from './ledger-store.js';
import { LedgerWriter, type LedgerWriterOptions } from './ledger-writer.js';
import { openSqliteLedger } from './sqlite-ledger.js';

type Batch = Parameters<LedgerStore['write']>[0];

/** The SQLite store with a hook before each write (to hold or fail it) and a log of the batches. */
function instrumented(store: LedgerStore, before: (batch: Batch) => Promise<void> | void = () => {}) {
  const batches: string[][] = [];
  const wrapper: LedgerStore = {
    backend: store.backend,
    async write(batch) {
      await before(batch);
      await store.write(batch);
      batches.push(batch.calls.map((call) => call.requestId));
    },
    summary: (query) => store.summary(query),
    close: () => store.close(),
  };
  return { store: wrapper, batches };
}

function deferred() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets every already-resolved continuation run, so "has not resolved" means it is waiting. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const row = (requestId: string): CallRow => callRow({ requestId, costNanos: 1 });
const options: LedgerWriterOptions = { queueSize: 100, flushIntervalMs: 60_000, durability: 'buffered' };

describe('LedgerWriter', () => {
  let folder: string;
  let path: string;
  let sqlite: LedgerStore & CallLookup;
  let writer: LedgerWriter | undefined;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'llmkit-writer-'));
    path = join(folder, 'llmkit.db');
    sqlite = openSqliteLedger(path);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await writer?.close().catch(() => undefined);
    await sqlite.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('buffered: record returns before the commit, flush commits', async () => {
    writer = new LedgerWriter(sqlite, options);
    await writer.record(row('r1'), [attemptRow('r1', 1)]);
    expect(writer.pending).toBe(1);
    expect(await sqlite.findCall('r1')).toBeUndefined();
    await writer.flush();
    expect(writer.pending).toBe(0);
    expect(await sqlite.findCall('r1')).toMatchObject({ attempts: [{ attempt: 1 }] });
  });

  it('buffered: writes on its own after flushIntervalMs, as one batch', async () => {
    vi.useFakeTimers();
    const { store, batches } = instrumented(sqlite);
    writer = new LedgerWriter(store, { ...options, flushIntervalMs: 100 });
    await writer.record(row('r1'), []);
    await writer.record(row('r2'), []);
    await vi.advanceTimersByTimeAsync(99);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([['r1', 'r2']]);
  });

  it('buffered: a full batch is written without waiting for the timer', async () => {
    const { store, batches } = instrumented(sqlite);
    writer = new LedgerWriter(store, { ...options, queueSize: 3 });
    for (const id of ['r1', 'r2', 'r3']) await writer.record(row(id), []);
    await settle();
    expect(batches).toEqual([['r1', 'r2', 'r3']]);
  });

  it('a full queue makes record wait for room; nothing is dropped and order is kept', async () => {
    const gate = deferred();
    const { store, batches } = instrumented(sqlite, () => gate.promise);
    writer = new LedgerWriter(store, { ...options, queueSize: 2 });
    await writer.record(row('r1'), []);
    await writer.record(row('r2'), []); // fills the queue; its batch is now held at the gate
    let thirdDone = false;
    const third = writer.record(row('r3'), []).then(() => {
      thirdDone = true;
    });
    await settle();
    expect(thirdDone).toBe(false);
    expect(writer.pending).toBe(3);
    gate.open();
    await third;
    await writer.close();
    expect(batches).toEqual([['r1', 'r2'], ['r3']]);
    const reopened = openSqliteLedger(path);
    expect((await reopened.summary({ since: 0, until: Date.now(), groupBy: 'model' })).totals.calls).toBe(3);
    await reopened.close();
  });

  it('retries a failing store with backoff, reports each failure, and writes the rows once', async () => {
    vi.useFakeTimers();
    let failures = 2;
    const { store, batches } = instrumented(sqlite, () => {
      if (failures-- > 0) throw new LedgerError('database is locked', { retryable: true });
    });
    const onError = vi.fn();
    writer = new LedgerWriter(store, { ...options, onError });
    await writer.record(row('r1'), []);
    await writer.record(row('r2'), []);
    let flushed = false;
    const flushing = writer.flush().then(() => {
      flushed = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(flushed).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    await flushing;
    expect(onError).toHaveBeenCalledTimes(2);
    expect(onError).toHaveBeenCalledWith(expect.any(LedgerError), 2);
    expect(batches).toEqual([['r1', 'r2']]);
    expect((await sqlite.summary({ since: 0, until: Date.now(), groupBy: 'model' })).totals.calls).toBe(2);
  });

  it('keeps retrying when onError itself throws', async () => {
    vi.useFakeTimers();
    let failures = 1;
    const { store, batches } = instrumented(sqlite, () => {
      if (failures-- > 0) throw new Error('boom');
    });
    writer = new LedgerWriter(store, {
      ...options,
      onError: () => {
        throw new Error('logger broke');
      },
    });
    await writer.record(row('r1'), []);
    const flushing = writer.flush();
    await vi.advanceTimersByTimeAsync(1000);
    await flushing;
    expect(batches).toEqual([['r1']]);
  });

  it('close flushes, closes the store, is idempotent, and refuses later rows', async () => {
    const closed = vi.fn();
    const { store } = instrumented(sqlite);
    store.close = async () => {
      closed();
      await sqlite.close();
    };
    writer = new LedgerWriter(store, options);
    await writer.record(row('r1'), []);
    await Promise.all([writer.close(), writer.close()]);
    expect(closed).toHaveBeenCalledTimes(1);
    await expect(writer.record(row('r2'), [])).rejects.toThrow(/after the writer was closed/);
    const reopened = openSqliteLedger(path);
    expect(await reopened.findCall('r1')).toBeDefined();
    await reopened.close();
  });

  it('close gives up on a store that keeps failing and says how many rows were lost', async () => {
    vi.useFakeTimers();
    const { store } = instrumented(sqlite, () => {
      throw new LedgerError('disk I/O error');
    });
    writer = new LedgerWriter(store, { ...options, durability: 'sync', onError: () => {} });
    const waiting = writer.record(row('r1'), []).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    const closing = writer.close().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await closing).toMatchObject({ message: expect.stringMatching(/1 ledger rows were not written/) });
    expect(await waiting).toBeInstanceOf(LedgerError);
  });

  it('sync: record resolves once the row is committed and visible to another connection', async () => {
    writer = new LedgerWriter(sqlite, { ...options, durability: 'sync' });
    await writer.record(row('r1'), [attemptRow('r1', 1)]);
    expect(writer.pending).toBe(0);
    const other = openSqliteLedger(path);
    expect(await other.findCall('r1')).toBeDefined();
    await other.close();
  });

  it('sync: records made together share one transaction', async () => {
    const { store, batches } = instrumented(sqlite);
    writer = new LedgerWriter(store, { ...options, durability: 'sync' });
    const ids = Array.from({ length: 20 }, (_, index) => `r${index}`);
    await Promise.all(ids.map((id) => writer!.record(row(id), [])));
    expect(batches).toEqual([ids]);
  });

  it('rejects a malformed row at record time instead of retrying it forever', async () => {
    writer = new LedgerWriter(sqlite, options);
    await expect(writer.record(callRow({ requestId: 'x', costNanos: 0.5 }), [])).rejects.toThrow(RangeError);
    await expect(writer.record(row('x'), [attemptRow('other', 1)])).rejects.toThrow(/not in the batch/);
    expect(writer.pending).toBe(0);
  });
});
