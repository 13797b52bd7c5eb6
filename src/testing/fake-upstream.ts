import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { errorBody } from './error-body.js';
import { writeBody, writeReply } from './reply-writer.js';
import type { FakeScript, FakeUpstream, FakeUpstreamOptions, RecordedRequest } from './types.js';

/**
 * Starts a real OpenAI-compatible HTTP server on a random local port. Chat requests consume
 * scripted replies in order (then the default), so a test drives success, errors and network
 * faults through the same client code a user runs in production.
 */
export async function createFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const host = options.host ?? '127.0.0.1';
  const models = options.models ?? ['fake-model'];
  const requests: RecordedRequest[] = [];
  const queue: FakeScript[] = [];
  let fallback: FakeScript = {};
  // Tracked ourselves so `close()` can destroy hanging and stalled sockets, not just idle ones.
  const sockets = new Set<Socket>();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader('x-request-id', `req_${randomBytes(12).toString('hex')}`);
    const url = new URL(request.url ?? '/', 'http://fake-upstream');
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flattenHeaders(request.headers),
      body: parseJson(await readBody(request)),
      receivedAt: Date.now(),
    };
    requests.push(recorded);

    if (options.apiKey !== undefined && !isAuthorized(request.headers, options.apiKey)) {
      const message = 'Incorrect API key provided. (fake upstream)';
      return writeBody(response, 401, errorBody(401, message, 'invalid_api_key'));
    }
    if (recorded.method === 'GET' && url.pathname.endsWith('/models')) {
      const created = Math.floor(Date.now() / 1000);
      const data = models.map((id) => ({ id, object: 'model', created, owned_by: 'fake-upstream' }));
      return writeBody(response, 200, { object: 'list', data });
    }
    // Any prefix, so Azure's `/openai/deployments/{name}/chat/completions` works as well.
    if (recorded.method === 'POST' && url.pathname.endsWith('/chat/completions')) {
      if (recorded.body === undefined) {
        const message = 'We could not parse the JSON body of your request. (fake upstream)';
        return writeBody(response, 400, errorBody(400, message));
      }
      const script = queue.shift() ?? fallback;
      const reply = typeof script === 'function' ? await script(recorded) : script;
      return writeReply(request, response, reply, recorded.body);
    }
    const message = `Unknown request URL: ${recorded.method} ${url.pathname}. (fake upstream)`;
    writeBody(response, 404, errorBody(404, message, 'unknown_url'));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // A throwing script becomes a visible 500 instead of a silent hang in the test.
      if (response.headersSent) return void response.destroy();
      if (response.destroyed) return;
      const message = `fake upstream script failed: ${error instanceof Error ? error.message : String(error)}`;
      writeBody(response, 500, errorBody(500, message));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;

  const upstream: FakeUpstream = {
    url: `${origin}/v1`,
    origin,
    requests,
    enqueue(...replies) {
      queue.push(...replies);
      return this;
    },
    setDefault(reply) {
      fallback = reply;
      return this;
    },
    reset() {
      queue.length = 0;
      fallback = {};
      // In place, so a test holding `upstream.requests` keeps seeing the live list.
      requests.length = 0;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
    [Symbol.asyncDispose]() {
      return upstream.close();
    },
  };
  return upstream;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Accepts both OpenAI's `Authorization: Bearer` and Azure's `api-key` header. */
function isAuthorized(headers: IncomingHttpHeaders, apiKey: string): boolean {
  return headers.authorization === `Bearer ${apiKey}` || headers['api-key'] === apiKey;
}
