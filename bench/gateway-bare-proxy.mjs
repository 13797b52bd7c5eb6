// The floor of the gateway bench: a node:http server that forwards POST /v1/chat/completions to
// the upstream over an undici Pool and pipes the answer back, with nothing else on the path (no
// parsing, auth, budget or ledger). Run: node bench/gateway-bare-proxy.mjs <port> <upstreamURL>
// (the harness pins it with taskset). GET /healthz and /readyz answer 200 once it listens.
import { createServer } from 'node:http';
import { pipeline } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';

// Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, never the one we open.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

/**
 * Starts the proxy; `authorize(request)` (optional) refuses a request with 401 when it returns
 * false, and `routes` adds GET handlers by path (the llmkit stand-in adds /metrics this way).
 */
export async function startBareProxy({ port, upstreamURL, host = '127.0.0.1', authorize, routes = {} }) {
  const upstream = new URL(upstreamURL);
  const chatPath = `${upstream.pathname.replace(/\/$/, '')}/chat/completions`;
  // No connection cap: a capped pool would queue the streams scenario's 1,000 open streams.
  const pool = new Pool(upstream.origin, { keepAliveTimeout: 60_000 });

  function fail(response, status, message) {
    if (response.headersSent) return void response.destroy();
    const body = JSON.stringify({ error: { message, type: 'bench_proxy_error' } });
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  }

  async function forward(request, response) {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const headers = { 'content-type': request.headers['content-type'] ?? 'application/json' };
    if (request.headers.authorization) headers.authorization = request.headers.authorization;
    if (request.headers.accept) headers.accept = request.headers.accept;
    const answer = await pool.request({
      method: 'POST',
      path: chatPath,
      headers,
      body: Buffer.concat(chunks),
    });
    const outgoing = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (!hopByHop.has(name)) outgoing[name] = value;
    }
    response.writeHead(answer.statusCode, outgoing);
    // Destroys the upstream body when the client goes away, which aborts the upstream request.
    pipeline(answer.body, response, () => {});
  }

  const server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (request.method === 'GET' && (path === '/healthz' || path === '/readyz'))
      return void response.end('ok');
    if (request.method === 'GET' && routes[path]) return void routes[path](request, response);
    if (request.method !== 'POST' || path !== '/v1/chat/completions') {
      return fail(response, 404, `no route ${request.method} ${path}`);
    }
    if (authorize && !authorize(request)) return fail(response, 401, 'bad gateway key');
    forward(request, response).catch((error) => fail(response, 502, `upstream: ${error.message}`));
  });
  server.keepAliveTimeout = 72_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: server.address().port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [port, upstreamURL] = process.argv.slice(2);
  const proxy = await startBareProxy({ port: Number(port), upstreamURL });
  process.stdout.write(`listening on http://127.0.0.1:${proxy.port}\n`);
  process.once('SIGTERM', () => proxy.close().then(() => process.exit(0)));
}
