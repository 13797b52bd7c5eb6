// Run by ledger-crash.test.ts in its own process, which it kills with SIGKILL mid-loop. Records
// calls through a sync writer and prints each requestId only after its `record` resolved. With
// a second argument, the ledger comes from that module (the built dist/index.js, whose SQLite
// store writes in a worker thread) instead of these sources (bundled in, writing in-thread).

const [path, module] = process.argv.slice(2);
if (!path) throw new Error('usage: crash-child <ledger path> [ledger module]');
const { LedgerWriter, openLedger }: typeof import('./index.js') = module
  ? await import(module)
  : await import('./index.js');
const config = {
  enabled: true,
  backend: 'sqlite',
  path,
  queueSize: 1000,
  flushIntervalMs: 100,
  durability: 'sync',
} as const;
const store = await openLedger(config);
process.stdout.write(`writes in ${(store as { writeThread?: string }).writeThread} thread\n`);
const writer = new LedgerWriter(store, config);

for (let round = 0; ; round += 1) {
  // A few calls at a time, so the kill also lands on group commits in flight.
  await Promise.all(
    [0, 1, 2].map(async (slot) => {
      const requestId = `${round}-${slot}`;
      await writer.record(
        {
          requestId,
          startedAt: Date.now(),
          provider: 'openai',
          model: 'gpt-4o',
          tags: ['crash'],
          inputTokens: 10,
          outputTokens: 5,
          cachedInputTokens: 0,
          reasoningTokens: 0,
          costNanos: 7,
          latencyMs: 1,
          status: 'ok',
          streamed: false,
          usageSource: 'provider',
          attempts: 1,
        },
        [
          {
            requestId,
            attempt: 1,
            startedAt: Date.now(),
            provider: 'openai',
            model: 'gpt-4o',
            status: 'ok',
            latencyMs: 1,
          },
        ],
      );
      process.stdout.write(`${requestId}\n`);
    }),
  );
}
