import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LedgerError } from './ledger-error.js';
import type { SqliteBatch } from './sqlite-batch.js';
import { SqliteWriteThread } from './sqlite-write-thread.js';

/*
 * The main thread's side of the writer thread, against a stand-in worker whose behaviour each
 * batch picks: the real worker (better-sqlite3) runs only from dist/, see sqlite-write-worker.test.ts.
 */
const folder = mkdtempSync(join(tmpdir(), 'llmkit-write-thread-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const standIn = join(folder, 'stand-in-worker.mjs');
writeFileSync(
  standIn,
  `import { parentPort } from 'node:worker_threads';
let written = 0;
parentPort.on('message', (request) => {
  if (request.type === 'close') {
    parentPort.postMessage({ id: request.id });
    parentPort.close();
    return;
  }
  const [what] = request.batch.values;
  if (what === 'die') process.exit(3);
  if (what === 'busy') {
    parentPort.postMessage({ id: request.id, error: { name: 'SqliteError', message: 'database is locked', code: 'SQLITE_BUSY' } });
    return;
  }
  if (what === 'slow') { const until = Date.now() + 50; while (Date.now() < until); }
  written += 1;
  parentPort.postMessage({ id: request.id, written });
});
`,
);

const batch = (what: string): SqliteBatch => ({ calls: 1, attempts: 0, values: [what] });
const thread = () =>
  new SqliteWriteThread(pathToFileURL(standIn), {
    path: '/data/llmkit.db',
    busyTimeoutMs: 50,
    synchronous: 'normal',
  });

describe('SqliteWriteThread', () => {
  it('passes a failed write back with its SQLite code, for sqliteError to classify', async () => {
    const writes = thread();
    const error = await writes.write(batch('busy')).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'SQLITE_BUSY', message: 'database is locked' });
    await writes.close();
  });

  it('rejects what a dead thread had not answered as retryable, and starts a new thread for the next write', async () => {
    const writes = thread();
    await writes.write(batch('ok'));
    const posted = [writes.write(batch('die')), writes.write(batch('ok'))];
    for (const result of await Promise.allSettled(posted)) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(LedgerError);
      expect(error.message).toMatch(
        /ledger file \/data\/llmkit\.db: its writer thread stopped \(exit code 3\)/,
      );
      expect(error.retryable).toBe(true);
    }
    await expect(writes.write(batch('ok'))).resolves.toBeUndefined();
    await writes.close();
  });

  it('close waits for the batches posted before it, ends the thread, and refuses later writes', async () => {
    const writes = thread();
    let committed = 0;
    const posted = [batch('slow'), batch('slow'), batch('ok')].map((each) =>
      writes.write(each).then(() => {
        committed += 1;
      }),
    );
    await writes.close();
    expect(committed).toBe(3);
    await Promise.all(posted);
    await expect(writes.write(batch('ok'))).rejects.toThrow(/written to after it was closed/);
    await expect(writes.close()).resolves.toBeUndefined();
  });

  it('closing a thread that never wrote starts nothing', async () => {
    await expect(thread().close()).resolves.toBeUndefined();
  });
});
