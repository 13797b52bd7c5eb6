import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
// esbuild comes with tsup; it turns the TypeScript child into one file node can run.
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteLedger } from './sqlite-ledger.js';

const require = createRequire(import.meta.url);
const killAfterRows = 300;

describe('kill -9 during sync writes', () => {
  let folder: string;
  let child: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'llmkit-crash-'));
    child = join(folder, 'child.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./crash-child.fixture.ts', import.meta.url))],
      outfile: child,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
      plugins: [
        {
          // The bundle lives in a temp folder with no node_modules: point native and CJS
          // packages at this checkout's copies by absolute path.
          name: 'external-by-path',
          setup(builder) {
            builder.onResolve({ filter: /^(better-sqlite3|pg)$/ }, (args) => ({
              path: require.resolve(args.path),
              external: true,
            }));
          },
        },
      ],
    });
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  // The sources write in the calling thread; the built package (dist/, built by `npm test` before
  // vitest runs) in its worker thread, where a confirmed row has crossed back from another thread.
  it.for([
    ['main', []],
    ['worker', [new URL('../../dist/index.js', import.meta.url).href]],
  ] as const)(
    'writing in the %s thread: loses nothing that record() had confirmed, duplicates nothing, and leaves a sound file',
    async ([thread, module]) => {
      const path = join(folder, thread, 'llmkit.db');
      const worker = spawn(process.execPath, [child, path, ...module], { stdio: ['ignore', 'pipe', 'pipe'] });
      let errors = '';
      worker.stderr.on('data', (chunk) => {
        errors += chunk;
      });
      const confirmed: string[] = [];
      let writesIn = '';
      let buffer = '';
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        worker.on('exit', (_code, signal) => resolve(signal)),
      );
      worker.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        if (!writesIn && lines.length > 0) writesIn = lines.shift()!;
        confirmed.push(...lines);
        if (confirmed.length >= killAfterRows) worker.kill('SIGKILL');
      });
      const signal = await exited;
      expect(errors).toBe('');
      expect(writesIn).toBe(`writes in ${thread} thread`);
      expect(signal).toBe('SIGKILL');
      expect(confirmed.length).toBeGreaterThanOrEqual(killAfterRows);

      const db = new Database(path, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = db.prepare('select request_id from calls').pluck().all() as string[];
      const attempts = db.prepare('select count(*) from attempts').pluck().get();
      db.close();
      const storedSet = new Set(stored);
      expect(confirmed.filter((id) => !storedSet.has(id))).toEqual([]);
      expect(new Set(confirmed).size).toBe(confirmed.length);
      expect(attempts).toBe(stored.length);

      // And the ledger itself opens and sums the survivors.
      const store = openSqliteLedger(path);
      const summary = await store.summary({ since: 0, until: Date.now() + 1, groupBy: 'tag' });
      expect(summary.rows).toEqual([expect.objectContaining({ group: 'crash', calls: stored.length })]);
      expect(summary.totals.costNanos).toBe(7 * stored.length);
      await store.close();
    },
  );
});
