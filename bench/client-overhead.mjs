// Per-call overhead of LLMClient.generate against the official openai client, both calling the
// same fake upstream (0 ms latency) in the same run. Usage: npm run bench [-- --calls 4000 --rounds 3]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { createLogger, LLMClient, loadConfig } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    stream: { type: 'boolean', default: false },
  },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);

const server = fork(new URL('./upstream-process.mjs', import.meta.url), {
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
});
const [firstLine] = await once(server.stdout, 'data');
const baseURL = String(firstLine).trim();
server.stdout.resume();

const official = new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0 });
const home = mkdtempSync(join(tmpdir(), 'llmkit-bench-'));
const client = (ledger) =>
  new LLMClient({
    config: loadConfig({
      cwd: home,
      envFile: false,
      env: { BENCH_KEY: 'sk-bench' },
      overrides: {
        home,
        defaultModel: 'bench/fake-model',
        providers: { bench: { baseURL, apiKeyEnv: 'BENCH_KEY' } },
        prices: { 'bench/fake-model': { input: 0.27, output: 1.1 } },
        retry: { maxRetries: 0 },
        ledger: { enabled: ledger },
      },
    }),
    logger: createLogger({ level: 'silent', stderrLevel: 'silent' }),
  });
const llmkit = client(false);
// The default embedded ledger: SQLite in <home>/llmkit.db, buffered writes.
const withLedger = client(true);

const messages = [{ role: 'user', content: 'Say something about foxes.' }];
const contenders = {
  openai: values.stream
    ? async () => {
        const stream = await official.chat.completions.create({
          model: 'fake-model',
          messages,
          stream: true,
          stream_options: { include_usage: true },
        });
        for await (const _ of stream);
      }
    : () => official.chat.completions.create({ model: 'fake-model', messages }),
  llmkit: values.stream ? () => llmkit.stream(messages).finish() : () => llmkit.generate(messages),
  'llmkit+ledger': values.stream
    ? () => withLedger.stream(messages).finish()
    : () => withLedger.generate(messages),
};
const names = Object.keys(contenders);

async function measure(call, total, concurrency) {
  const latencies = new Float64Array(total);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < total; index = next++) {
        const t0 = performance.now();
        await call();
        latencies[index] = performance.now() - t0;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  const at = (q) => latencies[Math.min(total - 1, Math.floor(q * total))];
  return { callsPerSecond: total / seconds, p50: at(0.5), p99: at(0.99) };
}

const results = [];
for (const concurrency of [1, 32]) {
  for (const name of names) await measure(contenders[name], 300, concurrency); // warm up
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  // Rotate the order round by round so drift on a noisy machine hits every contender alike.
  for (let round = 0; round < rounds; round++) {
    for (let index = 0; index < names.length; index++) {
      const name = names[(index + round) % names.length];
      samples[name].push(await measure(contenders[name], calls, concurrency));
    }
  }
  const median = (list, key) => list.map((s) => s[key]).sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const row = (name) => ({
    callsPerSecond: median(samples[name], 'callsPerSecond'),
    p50: median(samples[name], 'p50'),
    p99: median(samples[name], 'p99'),
  });
  // Ledger on / off is paired round by round (both ran within seconds of each other), then the
  // median is taken: load from other processes moves a whole round, not one contender of it.
  const ledgerRatios = samples['llmkit+ledger'].map((sample, round) => ({
    ratio: sample.callsPerSecond / samples.llmkit[round].callsPerSecond,
  }));
  results.push({
    concurrency,
    rows: Object.fromEntries(names.map((name) => [name, row(name)])),
    ledgerRatio: median(ledgerRatios, 'ratio'),
    ledgerRatios: ledgerRatios.map(({ ratio }) => ratio),
  });
}

const fmt = (n, digits = 0) => n.toFixed(digits);
console.log(
  `mode: ${values.stream ? 'stream' : 'generate'}; ${calls} calls x ${rounds} rounds per contender and concurrency; node ${process.versions.node}`,
);
console.log('| concurrency | client | calls/s | p50 ms | p99 ms | vs openai | ledger on / off |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const { concurrency, rows, ledgerRatio } of results) {
  const base = rows.openai.callsPerSecond;
  for (const name of names) {
    const r = rows[name];
    const versus = name === 'openai' ? '' : `**${fmt(r.callsPerSecond / base, 2)}x**`;
    const ledger = name === 'llmkit+ledger' ? `**${fmt(ledgerRatio, 3)}x**` : '';
    console.log(
      `| ${concurrency} | ${name} | ${fmt(r.callsPerSecond)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${versus} | ${ledger} |`,
    );
  }
}
console.log(
  `ledger on / off, round by round: ${results.map(({ concurrency, ledgerRatios }) => `concurrency ${concurrency}: ${ledgerRatios.map((ratio) => fmt(ratio, 3)).join(' ')}`).join('; ')}`,
);
await withLedger.close();
rmSync(home, { recursive: true, force: true });
server.disconnect();
