// Run by ledger-crash.test.ts in its own process, which it kills with SIGKILL mid-loop. Records
// calls through a sync writer and prints each requestId only after its `record` resolved.
import { LedgerWriter } from './ledger-writer.js';
import { openLedger } from './open-ledger.js';

const path = process.argv[2];
if (!path) throw new Error('usage: crash-child <ledger path>');
const config = {
  enabled: true,
  backend: 'sqlite',
  path,
  queueSize: 1000,
  flushIntervalMs: 100,
  durability: 'sync',
} as const;
const writer = new LedgerWriter(await openLedger(config), config);

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
          cacheHit: false,
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
