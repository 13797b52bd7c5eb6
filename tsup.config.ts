import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'gateway/index': 'src/gateway/index.ts',
    cli: 'src/cli/main.ts',
    // The SQLite ledger's writer thread. It must sit at the root of dist, beside the chunks that
    // start it with new URL('./sqlite-write-worker.js', import.meta.url) (sqlite-write-thread.ts).
    'sqlite-write-worker': 'src/ledger/sqlite-write-worker.ts',
  },
  format: ['esm'],
  target: 'node20',
  dts: {
    entry: {
      index: 'src/index.ts',
      'testing/index': 'src/testing/index.ts',
      'gateway/index': 'src/gateway/index.ts',
    },
  },
  sourcemap: true,
  // Error classes name themselves from `new.target.name`; a renamed class would print `_BudgetExceededError`.
  keepNames: true,
  clean: true,
  splitting: true,
});
