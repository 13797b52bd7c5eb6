import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
// esbuild comes with tsup; it turns the TypeScript child into one file node can run.
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { budgetStoreCases } from './budget-store.case.js';
import { openSqliteBudgetStore } from './sqlite-budget-store.js';
import { line, reservation } from './store-case-fixtures.js';
import { BudgetStoreUnavailableError } from './store-unavailable-error.js';

const require = createRequire(import.meta.url);

// Every open() is a separate connection on the same file, as separate processes would have.
budgetStoreCases('sqlite', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'llmkit-budget-'));
  const path = join(folder, 'budgets.db');
  return {
    open: () => openSqliteBudgetStore(path),
    destroy: async () => rmSync(folder, { recursive: true, force: true }),
  };
});

function thrownBy(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('sqlite budget file', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'llmkit-budget-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('creates missing folders and uses WAL', async () => {
    const path = join(folder, 'deep', 'er', 'budgets.db');
    await openSqliteBudgetStore(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a file that is not a database in one line naming it, and leaves it untouched', () => {
    const path = join(folder, 'budgets.db');
    const garbage = Buffer.from('these are not budgets\n'.repeat(400));
    writeFileSync(path, garbage);
    const error = thrownBy(() => openSqliteBudgetStore(path));
    expect(error).toBeInstanceOf(BudgetStoreUnavailableError);
    const message = (error as BudgetStoreUnavailableError).message;
    expect(message).toContain(path);
    expect(message).toMatch(/not a valid SQLite database.*move it aside/);
    expect(message).not.toContain('\n');
    expect((error as BudgetStoreUnavailableError).retryable).toBe(false);
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });

  it('refuses a file written by a newer llmkit', async () => {
    const path = join(folder, 'budgets.db');
    await openSqliteBudgetStore(path).close();
    const db = new Database(path);
    db.prepare("update budget_meta set value = '99' where key = 'schema_version'").run();
    db.close();
    expect(thrownBy(() => openSqliteBudgetStore(path))).toMatchObject({
      code: 'budget_store_unavailable',
      message: expect.stringMatching(/schema version 99.*upgrade llmkit/),
    });
  });

  it('fails an operation with a one-line lock error, naming the file, when a writer holds it past busy_timeout', async () => {
    const path = join(folder, 'budgets.db');
    const store = openSqliteBudgetStore(path, { busyTimeoutMs: 100 });
    const holder = new Database(path);
    holder.exec('begin immediate');
    try {
      const started = Date.now();
      const error = await store.reserve([line('a')], reservation()).catch((caught: unknown) => caught);
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
      expect(error).toBeInstanceOf(BudgetStoreUnavailableError);
      expect(error).toMatchObject({ code: 'budget_store_unavailable', exitCode: 4, retryable: true });
      expect((error as Error).message).toMatch(/budget file .*budgets\.db is locked .*waited 100 ms/);
      expect((error as Error).message).not.toContain('\n');
    } finally {
      holder.exec('rollback');
      holder.close();
    }
    // The lock gone, the same store works again.
    expect((await store.reserve([line('a')], reservation())).ok).toBe(true);
    await store.close();
  });
});

describe('sqlite budget file shared by processes', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'llmkit-budget-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  interface Child {
    ready: Promise<void>;
    go(): void;
    done: Promise<{ accepted: number; committed: number }>;
  }

  function spawnChild(child: string, path: string, name: string): Child {
    const worker = spawn(process.execPath, [child, path, name, '400'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    let announce: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      announce = resolve;
    });
    worker.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.startsWith('ready\n')) announce();
    });
    worker.stderr.on('data', (chunk) => {
      errors += chunk;
    });
    const done = new Promise<{ accepted: number; committed: number }>((resolve, reject) =>
      worker.on('exit', (code) =>
        code === 0 ? resolve(JSON.parse(output.slice('ready\n'.length))) : reject(new Error(errors)),
      ),
    );
    return { ready, go: () => worker.stdin.end('go\n'), done };
  }

  it('never commits past the limit when two processes reserve on one file at once', async () => {
    const child = join(folder, 'child.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./sqlite-budget-store-child.fixture.ts', import.meta.url))],
      outfile: child,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
      plugins: [
        {
          // The bundle lives in a temp folder with no node_modules: point the native package at
          // this checkout's copy by absolute path.
          name: 'external-by-path',
          setup(builder) {
            builder.onResolve({ filter: /^better-sqlite3$/ }, (args) => ({
              path: require.resolve(args.path),
              external: true,
            }));
          },
        },
      ],
    });
    const path = join(folder, 'budgets.db');
    await openSqliteBudgetStore(path).close(); // tables exist before the race starts
    const children = [spawnChild(child, path, 'one'), spawnChild(child, path, 'two')];
    await Promise.all(children.map((started) => started.ready));
    for (const started of children) started.go();
    const results = await Promise.all(children.map((started) => started.done));
    const committed = results.reduce((sum, result) => sum + result.committed, 0);
    expect(committed).toBeLessThanOrEqual(20_000_000_000);
    // Both processes got a share, and their settles add up exactly in the file.
    for (const result of results) expect(result.accepted).toBeGreaterThan(0);
    const store = openSqliteBudgetStore(path);
    expect(await store.state(['shared'])).toEqual([
      { key: 'shared', spentNanos: committed, reservedNanos: 0, spentTokens: 0, reservedTokens: 0 },
    ]);
    await store.close();
  });
});
