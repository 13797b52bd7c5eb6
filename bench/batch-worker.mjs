// One contender of bench/batch.mjs in a process of its own, so its peak RSS is its own.
// Usage: node bench/batch-worker.mjs <runner|plimit> <baseURL> <items> <concurrency>
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { createLogger, LLMClient, loadConfig } from '../dist/index.js';

const [mode, baseURL, itemsArg, concurrencyArg] = process.argv.slice(2);
const items = Number(itemsArg);
const concurrency = Number(concurrencyArg);
const home = mkdtempSync(join(tmpdir(), 'llmkit-bench-batch-'));
const client = new LLMClient({
  config: loadConfig({
    cwd: home,
    envFile: false,
    env: { BENCH_KEY: 'sk-bench' },
    overrides: {
      home,
      defaultModel: 'bench/fake-model',
      providers: { bench: { baseURL, apiKeyEnv: 'BENCH_KEY' } },
      prices: { 'bench/fake-model': { input: 0.27, output: 1.1 } },
      // The default embedded ledger stays on: SQLite in <home>/llmkit.db, as a user runs it.
    },
  }),
  logger: createLogger({ level: 'silent', stderrLevel: 'silent' }),
});
const prompts = Array.from({ length: items }, (_, index) => `Summarize item number ${index} in one line.`);

const started = performance.now();
let ok = 0;
if (mode === 'runner') {
  const results = await client.batch(prompts, { concurrency });
  ok = results.filter((result) => result.ok).length;
} else {
  // The naive baseline: Promise.all over p-limit, as most scripts do it (one failure rejects all).
  const limit = pLimit(concurrency);
  const results = await Promise.all(prompts.map((prompt) => limit(() => client.generate(prompt))));
  ok = results.length;
}
const seconds = (performance.now() - started) / 1000;
await client.close();
rmSync(home, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ mode, items, ok, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
