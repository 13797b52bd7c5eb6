// Usage-ledger write throughput: rows/s committed and what `record` costs the call that awaits
// it, for SQLite (writing in its worker thread, and in the calling thread) and PostgreSQL,
// buffered and sync. Usage:
//   npm run build && node bench/ledger.mjs [--rows 20000] [--concurrency 1,32] [--rounds 3]
// Each round runs every contender once, in turn, on a fresh database, so drift hits them all;
// the table shows each contender's median round by rows/s.
// PostgreSQL comes from LLMKIT_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
// and is skipped, with a note, when unreachable.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { LedgerWriter, openPostgresLedger, openSqliteLedger } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '1,32' },
    rounds: { type: 'string', default: '3' },
  },
});
const rows = Number(values.rows);
const concurrencies = values.concurrency.split(',').map(Number);
const rounds = Number(values.rounds);
const databaseUrl = process.env.LLMKIT_BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const writerOptions = { queueSize: 10_000, flushIntervalMs: 100 };

function rowPair() {
  // The shape LLMClient gives its calls: random ids, so inserts land all over the key indexes
  // (sequential ids would make every insert an append, about 4x cheaper).
  const requestId = `llm_${randomUUID().replaceAll('-', '')}`;
  const startedAt = Date.now();
  const call = {
    requestId,
    startedAt,
    provider: 'openai',
    model: 'gpt-4o-mini',
    gatewayKey: 'team-a',
    project: 'bench',
    tags: ['bench', 'ledger'],
    user: 'user-1',
    inputTokens: 1200,
    outputTokens: 300,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costNanos: 360_000,
    latencyMs: 850,
    ttftMs: 220,
    status: 'ok',
    streamed: true,
    cacheHit: false,
    usageSource: 'provider',
    attempts: 1,
  };
  const attempt = {
    requestId,
    attempt: 1,
    startedAt,
    provider: 'openai',
    model: 'gpt-4o-mini',
    status: 'ok',
    httpStatus: 200,
    latencyMs: 850,
    ttftMs: 220,
  };
  return [call, [attempt]];
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

/** `concurrency` callers record rows one after another; timing ends when every row is committed. */
async function measure(store, durability, concurrency) {
  const writer = new LedgerWriter(store, { ...writerOptions, durability });
  const latencies = new Float64Array(rows);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < rows) {
        const index = next++;
        const [call, attempts] = rowPair();
        const before = performance.now();
        await writer.record(call, attempts);
        latencies[index] = performance.now() - before;
      }
    }),
  );
  await writer.flush();
  const elapsed = (performance.now() - started) / 1000;
  await writer.close();
  const sorted = latencies.sort();
  return { rowsPerSecond: rows / elapsed, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

const contenders = [
  ...['worker', 'main'].flatMap((writeThread) => [
    { backend: 'sqlite', writeThread, durability: 'buffered', synchronous: 'normal' },
    { backend: 'sqlite', writeThread, durability: 'sync', synchronous: 'full' },
    { backend: 'sqlite', writeThread, durability: 'sync', synchronous: 'normal' },
  ]),
  { backend: 'postgres', durability: 'buffered' },
  { backend: 'postgres', durability: 'sync' },
];

async function withStore(contender, run) {
  if (contender.backend === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'llmkit-bench-'));
    try {
      const path = join(folder, 'llmkit.db');
      const { synchronous, writeThread } = contender;
      return await run(openSqliteLedger(path, { synchronous, writeThread }));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
  const schema = `llmkit_bench_${randomUUID().replaceAll('-', '')}`;
  try {
    return await run(await openPostgresLedger(databaseUrl, { schema }));
  } finally {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
}

async function postgresReachable() {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return error.message || error.code;
  } finally {
    await client.end().catch(() => {});
  }
}

const notes = [];
const unreachable = await postgresReachable();
if (unreachable) notes.push(`PostgreSQL skipped: ${databaseUrl} is unreachable (${unreachable}).`);
const lines = [
  '| backend | writes in | durability | synchronous | callers | rows/s | record p50 ms | record p99 ms |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];
const runs = contenders
  .filter((contender) => contender.backend !== 'postgres' || !unreachable)
  .flatMap((contender) => concurrencies.map((concurrency) => ({ ...contender, concurrency, results: [] })));
for (let round = 1; round <= rounds; round += 1) {
  for (const run of runs) {
    const result = await withStore(run, (store) => measure(store, run.durability, run.concurrency));
    run.results.push(result);
    console.error(
      `round ${round}: ${run.backend} ${run.writeThread ?? ''} ${run.durability} ${run.synchronous ?? ''} x${run.concurrency}: ${Math.round(result.rowsPerSecond)} rows/s`,
    );
  }
}
for (const run of runs) {
  const result = run.results.sort((left, right) => left.rowsPerSecond - right.rowsPerSecond)[
    Math.floor(rounds / 2)
  ];
  const synchronous = run.backend === 'sqlite' ? run.synchronous.toUpperCase() : 'server default';
  lines.push(
    `| ${run.backend} | ${run.writeThread ?? 'server'} | ${run.durability} | ${synchronous} | ${run.concurrency} | ` +
      `${Math.round(result.rowsPerSecond)} | ${result.p50.toFixed(3)} | ${result.p99.toFixed(3)} |`,
  );
}
console.log(`\n${rows} rows per run, median of ${rounds} rounds, Node ${process.version}\n`);
console.log(lines.join('\n'));
for (const note of notes) console.log(`\n> ${note}`);
