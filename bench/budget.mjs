// Budget store throughput and overshoot: reserve+settle pairs per second on SQLite and Redis,
// and how far committed spend passes a hard limit when many callers on several instances race
// for it (the goal is zero). Usage:
//   npm run build && node bench/budget.mjs [--calls 5000] [--concurrency 1,32] [--rounds 3]
// Each round runs every contender once, in turn, on a fresh file or key prefix, so drift hits them
// all; the table shows each contender's median round by pairs/s.
// Redis comes from LLMKIT_BENCH_REDIS_URL (default redis://127.0.0.1:6379) and is skipped, with a
// note, when unreachable.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { openRedisBudgetStore, openSqliteBudgetStore } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '1,32' },
    rounds: { type: 'string', default: '3' },
    'race-calls': { type: 'string', default: '5000' },
  },
});
const calls = Number(values.calls);
const concurrencies = values.concurrency.split(',').map(Number);
const rounds = Number(values.rounds);
const raceCalls = Number(values['race-calls']);
const redisUrl = process.env.LLMKIT_BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const hour = 3_600_000;
const cent = 10_000_000; // nano-dollars

/** Opens `count` instances (separate connections) on one fresh store; cleans it up after `run`. */
async function withStores(backend, count, run) {
  if (backend === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'llmkit-bench-'));
    const path = join(folder, 'budgets.db');
    const stores = Array.from({ length: count }, () => openSqliteBudgetStore(path));
    try {
      return await run(stores);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      rmSync(folder, { recursive: true, force: true });
    }
  }
  const prefix = `llmkit:bench:${randomUUID()}:`;
  const stores = Array.from({ length: count }, () => openRedisBudgetStore(redisUrl, { prefix }));
  try {
    return await run(stores);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    const admin = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await admin.del(...keys);
    } while (cursor !== '0');
    await admin.quit();
  }
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

let sequence = 0;

/** `concurrency` callers each reserve on a hard and a soft line, then settle, one call after another. */
async function measure([store], concurrency) {
  const lines = [
    { key: 'daily', limitNanos: 1e15, limitTokens: null, hard: true, expiresAt: Date.now() + hour },
    { key: 'monthly-soft', limitNanos: 1e12, limitTokens: null, hard: false, expiresAt: Date.now() + hour },
  ];
  const latencies = new Float64Array(calls);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        const index = next++;
        const requestId = `bench-${++sequence}`;
        const before = performance.now();
        const outcome = await store.reserve(lines, {
          requestId,
          amountNanos: 10 * cent,
          tokens: 5000,
          expiresAt: Date.now() + 900_000,
        });
        if (!outcome.ok) throw new Error('the bench line refused a call');
        await store.settle(requestId, { nanos: 7 * cent, tokens: 3000 });
        latencies[index] = performance.now() - before;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const sorted = latencies.sort();
  return { pairsPerSecond: calls / elapsed, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

/**
 * The contract suite's race, bigger: `raceCalls` calls of $0.10 worst case against a $20 hard line,
 * 32 at a time spread over 3 instances, each settling a random $0.05-$0.10.
 */
async function race(stores) {
  const limit = 2000 * cent;
  const lines = [
    { key: 'race', limitNanos: limit, limitTokens: null, hard: true, expiresAt: Date.now() + hour },
  ];
  let next = 0;
  let accepted = 0;
  let committed = 0;
  await Promise.all(
    Array.from({ length: 32 }, async (_, caller) => {
      const store = stores[caller % stores.length];
      while (next < raceCalls) {
        next += 1;
        const requestId = `race-${++sequence}`;
        const outcome = await store.reserve(lines, {
          requestId,
          amountNanos: 10 * cent,
          tokens: 0,
          expiresAt: Date.now() + 60_000,
        });
        if (!outcome.ok) continue;
        const actual = 5 * cent + Math.floor(Math.random() * (5 * cent + 1));
        await store.settle(requestId, { nanos: actual, tokens: 0 });
        accepted += 1;
        committed += actual;
      }
    }),
  );
  const [state] = await stores[0].state(['race']);
  return { accepted, committed, stored: state.spentNanos, reservedLeft: state.reservedNanos, limit };
}

async function redisReachable() {
  const store = openRedisBudgetStore(redisUrl, { prefix: `llmkit:bench:${randomUUID()}:` });
  try {
    await store.state(['probe']);
    return undefined;
  } catch (error) {
    return error.message;
  } finally {
    await store.close();
  }
}

const notes = [];
const unreachable = await redisReachable();
if (unreachable) notes.push(`Redis skipped: ${unreachable}`);
const backends = unreachable ? ['sqlite'] : ['sqlite', 'redis'];
const runs = backends.flatMap((backend) =>
  concurrencies.map((concurrency) => ({ backend, concurrency, results: [] })),
);
for (let round = 1; round <= rounds; round += 1) {
  for (const run of runs) {
    const result = await withStores(run.backend, 1, (stores) => measure(stores, run.concurrency));
    run.results.push(result);
    console.error(
      `round ${round}: ${run.backend} x${run.concurrency}: ${Math.round(result.pairsPerSecond)} pairs/s`,
    );
  }
}
const lines = [
  '| backend | callers | reserve+settle pairs/s | pair p50 ms | pair p99 ms |',
  '| --- | --- | --- | --- | --- |',
];
for (const run of runs) {
  const result = run.results.sort((left, right) => left.pairsPerSecond - right.pairsPerSecond)[
    Math.floor(rounds / 2)
  ];
  lines.push(
    `| ${run.backend} | ${run.concurrency} | ${Math.round(result.pairsPerSecond)} | ${result.p50.toFixed(3)} | ${result.p99.toFixed(3)} |`,
  );
}
const raceLines = [
  '| backend | instances | calls | accepted | committed $ | limit $ | overshoot $ | reserved left |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const backend of backends) {
  const result = await withStores(backend, 3, race);
  if (result.stored !== result.committed)
    notes.push(`${backend}: stored spend ${result.stored} != settled ${result.committed}`);
  const usd = (nanos) => (nanos / 1e9).toFixed(9);
  raceLines.push(
    `| ${backend} | 3 | ${raceCalls} | ${result.accepted} | ${usd(result.committed)} | ${usd(result.limit)} | ` +
      `${usd(Math.max(0, result.committed - result.limit))} | ${result.reservedLeft} |`,
  );
}
console.log(`\n${calls} reserve+settle pairs per run, median of ${rounds} rounds, Node ${process.version}\n`);
console.log(lines.join('\n'));
console.log(`\nRace: 32 callers over 3 instances, $0.10 worst case each, $20 hard limit\n`);
console.log(raceLines.join('\n'));
for (const note of notes) console.log(`\n> ${note}`);
