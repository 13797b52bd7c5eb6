// How each contender of the gateway bench is started, addressed and stopped. Every contender is
// `{ name, url, headers, model, pid, startupMs, finish(), stop() }`: `url` takes the chat
// request, `headers` are added to it, `pid` is the process whose RSS and CPU are measured
// (null for direct), `finish()` collects what the contender reports about itself at the end.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, spawnNode, stopProcess, waitReady } from './gateway-process.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const run = promisify(execFile);

/** The fake upstream, in its own process; `setReply` changes the default reply between cells. */
export async function startUpstream(cpus) {
  if (!existsSync(here('../dist/testing/index.js'))) {
    throw new Error('dist/testing/index.js is missing: run `npm run build` first');
  }
  const child = spawnNode(cpus, [here('./gateway-upstream.mjs')], { ipc: true });
  const [line] = await Promise.race([
    once(child.stdout, 'data'),
    child.exited.then((exit) => {
      throw new Error(`fake upstream exited (${JSON.stringify(exit)}):\n${child.output()}`);
    }),
  ]);
  return {
    url: String(line).trim().split('\n')[0],
    pid: child.pid,
    async setReply(reply) {
      const acknowledged = once(child, 'message');
      child.send({ reply });
      await acknowledged;
    },
    close: () => stopProcess(child, 2_000),
  };
}

export function startDirect({ upstream }) {
  return {
    name: 'direct',
    url: `${upstream.url}/chat/completions`,
    headers: { authorization: 'Bearer sk-bench' },
    model: 'fake-model',
    pid: null,
    startupMs: 0,
    finish: async () => ({}),
    stop: async () => {},
  };
}

export async function startBare({ upstream, cpus }) {
  const port = await freePort();
  const child = spawnNode(cpus, [here('./gateway-bare-proxy.mjs'), String(port), upstream.url]);
  const origin = `http://127.0.0.1:${port}`;
  const startupMs = await waitReady(`${origin}/healthz`, child, { name: 'bare proxy' });
  return {
    name: 'bare',
    url: `${origin}/v1/chat/completions`,
    headers: { authorization: 'Bearer sk-bench' },
    model: 'fake-model',
    pid: child.pid,
    startupMs,
    finish: async () => ({}),
    stop: () => stopProcess(child),
  };
}

function portkeyEntry() {
  const require = createRequire(here('./package.json'));
  try {
    const manifest = require.resolve('@portkey-ai/gateway/package.json');
    const { version, bin } = JSON.parse(readFileSync(manifest, 'utf8'));
    return { entry: resolve(manifest, '..', typeof bin === 'string' ? bin : bin['gateway']), version };
  } catch {
    throw new Error('@portkey-ai/gateway is not installed: run `npm --prefix bench install`');
  }
}

/**
 * Portkey's open-source gateway, as `npx @portkey-ai/gateway` starts it (`build/start-server.js`),
 * with `--headless` (no console UI). Provider and upstream are chosen per request by headers.
 */
export async function startPortkey({ upstream, cpus }) {
  const { entry, version } = portkeyEntry();
  const port = await freePort();
  const child = spawnNode(cpus, [entry, `--port=${port}`, '--headless']);
  const origin = `http://127.0.0.1:${port}`;
  // GET / answers "AI Gateway says hey!" once the server listens.
  const startupMs = await waitReady(`${origin}/`, child, { name: 'Portkey gateway' });
  return {
    name: 'portkey',
    version,
    url: `${origin}/v1/chat/completions`,
    headers: {
      authorization: 'Bearer sk-bench',
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': upstream.url,
    },
    model: 'fake-model',
    pid: child.pid,
    startupMs,
    finish: async () => ({}),
    stop: () => stopProcess(child),
  };
}

/** The config `llmkit serve` runs with: auth, a budget, prices, the ledger (and /metrics) on. */
function llmkitConfig({ home, upstreamURL, port }) {
  return {
    home,
    defaultModel: 'fake/fake-model',
    providers: { fake: { baseURL: upstreamURL, apiKeyRequired: false } },
    prices: { 'fake/fake-model': { input: 0.27, output: 1.1 } },
    budgets: [{ scope: 'global', period: 'day', limitUsd: 1_000_000 }],
    ledger: { enabled: true, backend: 'sqlite' },
    gateway: { host: '127.0.0.1', port, auth: 'required', shutdownGraceMs: 2_000 },
    // Experiments: `LLMKIT_BENCH_CONFIG='{"budgets":[]}'` overrides top-level keys.
    ...JSON.parse(process.env.LLMKIT_BENCH_CONFIG ?? '{}'),
  };
}

/**
 * `llmkit serve` from this checkout (or `LLMKIT_BENCH_BIN`, e.g. bench/gateway-standin.mjs),
 * with a fresh home in a temporary directory and a key from `llmkit keys create`.
 */
export async function startLlmkit({ upstream, cpus, cpuProfDir, keep }) {
  const bin = process.env.LLMKIT_BENCH_BIN ? resolve(process.env.LLMKIT_BENCH_BIN) : here('../bin/llmkit.js');
  const dir = mkdtempSync(join(tmpdir(), 'llmkit-gateway-bench-'));
  const home = join(dir, 'home');
  const configPath = join(dir, 'llmkit.config.json');
  const port = await freePort();
  const config = llmkitConfig({ home, upstreamURL: upstream.url, port });
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);

  const created = await run(
    process.execPath,
    [bin, 'keys', 'create', '--name', 'bench', '--json', '--config', configPath],
    {
      cwd: dir,
    },
  ).catch((error) => {
    throw new Error(`llmkit keys create failed: ${error.stderr || error.message}`);
  });
  const { key } = JSON.parse(created.stdout);
  if (typeof key !== 'string') throw new Error(`llmkit keys create printed no key: ${created.stdout}`);

  const masterKey = `llmk_bench_master_${randomBytes(16).toString('hex')}`;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const profile = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const child = spawnNode(cpus, [...profile, bin, 'serve', '--port', String(port), '--config', configPath], {
    cwd: dir,
    env: { ...process.env, LLMKIT_MASTER_KEY: masterKey },
  });
  const origin = `http://127.0.0.1:${port}`;
  const startupMs = await waitReady(`${origin}/readyz`, child, { name: 'llmkit serve' }).catch((error) => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
    throw error;
  });

  async function scrapeMetrics() {
    // Whoever /metrics is meant for: open, the master key, or a gateway key.
    for (const authorization of [undefined, `Bearer ${masterKey}`, `Bearer ${key}`]) {
      const response = await fetch(`${origin}/metrics`, { headers: authorization ? { authorization } : {} });
      const text = await response.text();
      if (response.status !== 401 && response.status !== 403) return { status: response.status, text };
    }
    return { status: 401, text: '' };
  }

  return {
    name: 'llmkit',
    url: `${origin}/v1/chat/completions`,
    headers: { authorization: `Bearer ${key}` },
    model: 'fake/fake-model',
    pid: child.pid,
    startupMs,
    bin,
    dir,
    async finish() {
      const metrics = await scrapeMetrics().catch((error) => ({ status: 0, text: '', error: error.message }));
      const ledger = join(home, 'llmkit.db');
      const size = (path) => (existsSync(path) ? statSync(path).size : 0);
      return { metrics, ledgerBytes: size(ledger) + size(`${ledger}-wal`), ...(keep ? { dir } : {}) };
    },
    async stop() {
      const exit = await stopProcess(child);
      if (!keep) rmSync(dir, { recursive: true, force: true });
      return exit;
    },
  };
}

export const starters = { llmkit: startLlmkit, bare: startBare, portkey: startPortkey, direct: startDirect };
