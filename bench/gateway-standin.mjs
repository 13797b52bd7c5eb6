// A stand-in for `llmkit` in the gateway bench, to check the harness before `llmkit serve` exists:
//   LLMKIT_BENCH_BIN=bench/gateway-standin.mjs node bench/gateway.mjs --only llmkit,bare,direct
// It speaks the two commands the harness runs, with the same flags, and is the bare proxy plus
// a key check: `keys create --name <n> --json --config <file>` and
// `serve --port <p> --config <file>` (GET /readyz, GET /metrics, SIGTERM exits cleanly).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startBareProxy } from './gateway-bare-proxy.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    config: { type: 'string' },
    port: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
  },
});
const configPath = resolve(values.config ?? 'llmkit.config.json');
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const home = resolve(dirname(configPath), config.home ?? '.llmkit');
const keyFile = join(home, 'standin-key');
const command = positionals.join(' ');

if (command === 'keys create') {
  mkdirSync(home, { recursive: true });
  const key = `llmk_standin_${randomBytes(16).toString('hex')}`;
  writeFileSync(keyFile, key);
  process.stdout.write(`${JSON.stringify({ ok: true, key, id: 'standin', name: values.name }, null, 2)}\n`);
} else if (command === 'serve') {
  const key = readFileSync(keyFile, 'utf8');
  const [provider] = Object.values(config.providers ?? {});
  let requests = 0;
  const proxy = await startBareProxy({
    port: Number(values.port ?? config.gateway?.port ?? 8700),
    upstreamURL: provider.baseURL,
    authorize: (request) => {
      requests++;
      return request.headers.authorization === `Bearer ${key}`;
    },
    routes: {
      '/metrics': (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        response.end(`# TYPE standin_requests_total counter\nstandin_requests_total ${requests}\n`);
      },
    },
  });
  process.stdout.write(`stand-in gateway on http://127.0.0.1:${proxy.port}\n`);
  process.once('SIGTERM', () => proxy.close().then(() => process.exit(0)));
} else {
  process.stderr.write(`gateway-standin: unknown command "${command}"\n`);
  process.exitCode = 2;
}
