// The batch runner against the fake upstream: 10,000 items at 100 ms latency and concurrency 64
// against the ideal 10,000 x 0.1 / 64 s, beside a naive Promise.all + p-limit baseline, each in
// its own process (peak RSS); then 100,000 items at 0 ms to show the runner's own cost per item.
// Usage: npm run build && node bench/batch.mjs [--items 10000 --fast-items 100000]
import { execFile, fork } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs, promisify } from 'node:util';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '10000' },
    'fast-items': { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '64' },
    latency: { type: 'string', default: '100' },
  },
});
const concurrency = Number(values.concurrency);
const run = promisify(execFile);

async function upstream(latencyMs) {
  const server = fork(new URL('./upstream-process.mjs', import.meta.url), [String(latencyMs)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [line] = await once(server.stdout, 'data');
  server.stdout.resume();
  return { url: String(line).trim(), close: () => server.disconnect() };
}

async function contender(mode, url, items) {
  const worker = new URL('./batch-worker.mjs', import.meta.url).pathname;
  const { stdout } = await run(process.execPath, [worker, mode, url, String(items), String(concurrency)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout);
}

const rows = [];
const slow = await upstream(Number(values.latency));
const items = Number(values.items);
const ideal = (items * Number(values.latency)) / 1000 / concurrency;
for (const mode of ['runner', 'plimit']) {
  const result = await contender(mode, slow.url, items);
  rows.push({ ...result, latency: Number(values.latency), ideal, ratio: result.seconds / ideal });
}
slow.close();

const fast = await upstream(0);
const fastItems = Number(values['fast-items']);
for (const mode of ['runner', 'plimit']) {
  const result = await contender(mode, fast.url, fastItems);
  rows.push({ ...result, latency: 0, perItemUs: (result.seconds * 1e6) / fastItems });
}
fast.close();

console.log(`node ${process.versions.node}; concurrency ${concurrency}; ledger on (SQLite, buffered)`);
console.log('| contender | items | latency | seconds | vs ideal | µs/item | peak RSS |');
console.log('| --------- | ----- | ------- | ------- | -------- | ------- | -------- |');
for (const row of rows) {
  console.log(
    `| ${row.mode === 'runner' ? 'client.batch' : 'Promise.all + p-limit'} | ${row.items} | ${row.latency} ms | ${row.seconds.toFixed(2)} | ${row.ratio ? `${row.ratio.toFixed(3)}x (ideal ${row.ideal.toFixed(2)} s)` : '—'} | ${row.perItemUs ? row.perItemUs.toFixed(0) : '—'} | ${row.maxRssMb.toFixed(0)} MB |`,
  );
}
