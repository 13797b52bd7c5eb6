// Gateway overhead: `llmkit serve` (auth, budget, ledger and metrics on) against calling the fake
// upstream directly, beside Portkey's open-source gateway and a bare undici pass-through proxy
// (the floor), all in the same run under the same load. Each proxy runs in its own process pinned
// to one core; the load generator (autocannon, in this process) and the fake upstream share the
// other. Per cell (upstream latency x connections) each contender in turn gets a warm-up, then a
// measured run; p50/p99 are also given as added to direct's, measured in the same cell and round.
//
//   npm run build && npm --prefix bench install
//   node bench/gateway.mjs [--only llmkit,bare,portkey,direct] [--duration 10] [--warmup 2]
//     [--latency 0,50] [--connections 1,16,64] [--rounds 1] [--out results.json] [--cpu-prof]
//   node bench/gateway.mjs --scenario streams [--streams 1000] [--hold 30] [--token-interval 1000]
//
// LLMKIT_BENCH_BIN=bench/gateway-standin.mjs runs a stand-in instead of bin/llmkit.js.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { starters, startUpstream } from './gateway-contenders.mjs';
import { autocannonVersion, openStreams, runLoad } from './gateway-load.mjs';
import { cpuMs, hasTaskset, memoryWatch, pinSelf, readMemory } from './gateway-process.mjs';
import { printStreams, printSweep, summarizeCell } from './gateway-report.mjs';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'sweep' },
    only: { type: 'string', default: 'llmkit,bare,portkey,direct' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    latency: { type: 'string', default: '0,50' },
    connections: { type: 'string', default: '1,16,64' },
    rounds: { type: 'string', default: '1' },
    out: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'cpu-prof-dir': { type: 'string' },
    'proxy-cpus': { type: 'string', default: '0' },
    'load-cpus': { type: 'string', default: '1' },
    streams: { type: 'string', default: '1000' },
    hold: { type: 'string', default: '30' },
    'token-interval': { type: 'string', default: '1000' },
    ramp: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
  },
});
const numbers = (text) => text.split(',').map((part) => Number(part.trim()));
const scenario = values.scenario;
if (!['sweep', 'streams'].includes(scenario)) throw new Error(`--scenario must be sweep or streams`);
const names = values.only.split(',').map((name) => name.trim());
const unknown = names.find((name) => !(name in starters));
if (unknown)
  throw new Error(`--only: unknown contender "${unknown}"; known: ${Object.keys(starters).join(', ')}`);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = resolve(values.out ?? join(tmpdir(), `llmkit-gateway-bench-${scenario}-${stamp}.json`));
const cpuProfDir = values['cpu-prof']
  ? resolve(values['cpu-prof-dir'] ?? join(tmpdir(), `llmkit-gateway-prof-${stamp}`))
  : undefined;

const chatBody = (model, stream = false) =>
  JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'hello' }],
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });

/**
 * One request of the kind the scenario sends, so a misconfigured contender fails here with its
 * answer, not as a column of 401s.
 */
async function smoke(contender) {
  const post = (body) =>
    fetch(contender.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...contender.headers },
      body,
    });
  const plain = await post(chatBody(contender.model));
  const text = await plain.text();
  if (plain.status !== 200 || !JSON.parse(text).choices?.[0]?.message) {
    throw new Error(`${contender.name}: chat request answered ${plain.status}: ${text.slice(0, 500)}`);
  }
  if (scenario !== 'streams') return;
  const stream = await post(chatBody(contender.model, true));
  const events = await stream.text();
  if (stream.status !== 200 || !events.includes('[DONE]')) {
    throw new Error(
      `${contender.name}: streaming request answered ${stream.status}: ${events.slice(0, 500)}`,
    );
  }
}

const reply = (latencyMs) => ({
  text: 'The quick brown fox jumps over the lazy dog.',
  ...(latencyMs > 0 ? { latencyMs } : {}),
});

/** Warm-up at the cell's load, a pause for deferred work (ledger flushes), then the measured run. */
async function measure(contender, connections) {
  const seconds = Number(values.duration);
  const load = {
    url: contender.url,
    headers: contender.headers,
    body: chatBody(contender.model),
    connections,
  };
  await runLoad({ ...load, seconds: Number(values.warmup) });
  await sleep(500);
  const watch = contender.pid ? memoryWatch(contender.pid) : undefined;
  const cpuBefore = contender.pid ? cpuMs(contender.pid) : 0;
  const result = await runLoad({ ...load, seconds });
  const cpu = contender.pid ? cpuMs(contender.pid) - cpuBefore : Number.NaN;
  const memory = watch?.stop();
  return {
    ...result,
    cpuUsPerRequest: (cpu * 1000) / result.requests,
    peakRssMb: memory?.peakMb ?? Number.NaN,
    loadAverage: loadavg()[0],
  };
}

async function sweep(contenders) {
  const proxies = contenders.filter((contender) => contender.pid);
  // The first minutes of a process are slower (JIT); give every proxy the same head start.
  await upstream.setReply(reply(0));
  for (const contender of proxies) {
    const body = chatBody(contender.model);
    await runLoad({ url: contender.url, headers: contender.headers, body, connections: 16, seconds: 3 });
  }
  const cells = [];
  for (const latencyMs of numbers(values.latency)) {
    await upstream.setReply(reply(latencyMs));
    for (const connections of numbers(values.connections)) {
      const rounds = [];
      for (let round = 0; round < Number(values.rounds); round++) {
        // Rotate the order cell by cell and round by round so drift hits every contender alike.
        const shift = (cells.length + round) % contenders.length;
        const order = [...contenders.slice(shift), ...contenders.slice(0, shift)];
        const measured = {};
        for (const contender of order) {
          measured[contender.name] = await measure(contender, connections);
          const { requestsPerSecond, p99 } = measured[contender.name];
          console.error(
            `  ${latencyMs} ms, c=${connections}, round ${round + 1}: ${contender.name} ${requestsPerSecond.toFixed(0)} req/s, p99 ${p99.toFixed(2)} ms`,
          );
        }
        rounds.push(measured);
      }
      cells.push(summarizeCell({ latencyMs, connections, rounds }, names));
    }
  }
  return { cells };
}

async function streams(contenders) {
  const count = Number(values.streams);
  const interval = Number(values['token-interval']);
  const hold = Number(values.hold);
  const ramp = Number(values.ramp);
  const chunks = Array.from(
    { length: Math.max(2, Math.ceil((hold * 1000) / interval) + 1) },
    (_, i) => `t${i} `,
  );
  const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
  if (limit && Number(limit) < count * 2 + 100) {
    console.error(
      `warning: open files limit ${limit} is low for ${count} streams (each proxy holds 2 per stream)`,
    );
  }
  const rows = [];
  for (const contender of contenders) {
    const stream = { url: contender.url, headers: contender.headers, body: chatBody(contender.model, true) };
    await upstream.setReply({ chunks: ['warm ', 'up '] });
    await openStreams({ ...stream, count: 200, rampSeconds: 0, timeoutSeconds: 30 });
    await upstream.setReply({ chunks, interTokenDelayMs: interval });
    await sleep(1_000);
    const baselineMb = contender.pid ? readMemory(contender.pid).rssMb : Number.NaN;
    const watch = contender.pid ? memoryWatch(contender.pid, 200) : undefined;
    const cpuBefore = contender.pid ? cpuMs(contender.pid) : 0;
    const result = await openStreams({
      ...stream,
      count,
      rampSeconds: ramp,
      timeoutSeconds: hold + ramp + 60,
    });
    const cpu = contender.pid ? cpuMs(contender.pid) - cpuBefore : Number.NaN;
    const peakMb = watch?.stop().peakMb ?? Number.NaN;
    const row = {
      name: contender.name,
      baselineMb,
      peakMb,
      perStreamKb: ((peakMb - baselineMb) * 1024) / count,
    };
    rows.push({ ...row, cpuMs: cpu, ...result });
    const peak = contender.pid ? `, peak RSS ${peakMb.toFixed(0)} MB` : '';
    console.error(`  ${contender.name}: ${result.completed}/${count} streams completed${peak}`);
  }
  return { streams: count, tokenIntervalMs: interval, holdSeconds: hold, chunks: chunks.length, rows };
}

const pinned = pinSelf(values['load-cpus']);
if (!hasTaskset) console.error('warning: taskset not found; processes are not pinned to cores');
const loadBefore = loadavg();
const upstream = await startUpstream(values['load-cpus']);
const contenders = [];
const report = {
  scenario,
  date: new Date().toISOString(),
  node: process.versions.node,
  autocannon: autocannonVersion,
  pinning: pinned ? { proxies: values['proxy-cpus'], loadAndUpstream: values['load-cpus'] } : null,
  options: values,
  loadAverageBefore: loadBefore,
};
try {
  for (const name of names) {
    const options = { upstream, cpus: values['proxy-cpus'], cpuProfDir, keep: values.keep };
    contenders.push(await starters[name](options));
  }
  for (const contender of contenders) await smoke(contender);
  console.error(
    `${scenario}: ${names.join(', ')}; load average ${loadBefore.map((n) => n.toFixed(2)).join(' ')}; results to ${out}`,
  );
  Object.assign(report, scenario === 'sweep' ? await sweep(contenders) : await streams(contenders));
  report.loadAverageAfter = loadavg();
  report.contenders = {};
  for (const contender of contenders) {
    report.contenders[contender.name] = {
      startupMs: contender.startupMs,
      ...(contender.version ? { version: contender.version } : {}),
      ...(contender.bin ? { bin: contender.bin } : {}),
      ...(contender.pid ? { endRssMb: readMemory(contender.pid).rssMb } : {}),
      ...(await contender.finish()),
    };
  }
} finally {
  for (const contender of contenders) await contender.stop();
  await upstream.close();
}
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
if (scenario === 'sweep') printSweep(report, names);
else printStreams(report);
if (cpuProfDir) console.log(`llmkit CPU profile(s) in ${cpuProfDir}`);
console.log(`results: ${out}`);
