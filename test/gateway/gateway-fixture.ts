import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { LLMClient } from '../../src/client/llm-client.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createGateway, type Gateway } from '../../src/gateway/gateway.js';
import { KeyStore } from '../../src/gateway/keys/key-store.js';
import { createLogger } from '../../src/logging/logger.js';
import { createFakeUpstream, type FakeUpstream } from '../../src/testing/index.js';

export interface GatewayFixture {
  url: string;
  upstream: FakeUpstream;
  client: LLMClient;
  keys: KeyStore;
  gateway: Gateway;
  home: string;
  /** A gateway key named `test`, sent by `post`/`get` unless they are given another ('' for none). */
  key: string;
  logs: () => Array<Record<string, unknown>>;
  /** POSTs JSON to `path` with `key` as the bearer token (if given). */
  post(
    path: string,
    body: unknown,
    options?: { key?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  get(path: string, key?: string): Promise<Response>;
  /** Every ledger call row so far (flushes first). */
  ledgerRows(): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export interface GatewayFixtureOptions {
  overrides?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Extra upstreams, as providers `fake2`, `fake3`... */
  upstreams?: FakeUpstream[];
}

export const masterKey = 'mk-test-master-key-0123456789';

/** A gateway on 127.0.0.1:0 in this process, over a fake upstream, with a ledger and key store in a temp home. */
export async function startGateway(options: GatewayFixtureOptions = {}): Promise<GatewayFixture> {
  const upstream = await createFakeUpstream({ models: ['fake-model'] });
  const home = mkdtempSync(join(tmpdir(), 'llmkit-gateway-'));
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  const extra = Object.fromEntries(
    (options.upstreams ?? []).map((other, index) => [
      `fake${index + 2}`,
      { baseURL: other.url, apiKeyRequired: false },
    ]),
  );
  const config = loadConfig({
    cwd: home,
    envFile: false,
    env: { LLMKIT_MASTER_KEY: masterKey, ...options.env },
    overrides: {
      home,
      defaultModel: 'fake/fake-model',
      providers: { fake: { baseURL: upstream.url, apiKeyRequired: false }, ...extra },
      prices: { 'fake/fake-model': { input: 1, output: 2 } },
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      gateway: { port: 0 },
      ...options.overrides,
    },
  });
  const logger = createLogger({ level: 'debug', stderrLevel: 'silent', destination });
  const client = new LLMClient({ config, logger });
  const keys = KeyStore.open(config.config.gateway.keysPath!);
  const gateway = createGateway({ client, keys });
  const url = await gateway.listen();
  const defaultKey = keys.create({ name: 'test' }).key;
  const headers = (key: string = defaultKey, more: Record<string, string> = {}) => ({
    ...(key ? { authorization: `Bearer ${key}` } : {}),
    ...more,
  });
  let closed = false;
  return {
    url,
    upstream,
    client,
    keys,
    gateway,
    home,
    key: defaultKey,
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    post: (path, body, { key, headers: more } = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: headers(key, { 'content-type': 'application/json', ...more }),
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    get: (path, key) => fetch(`${url}${path}`, { headers: headers(key) }),
    async ledgerRows() {
      await client.ledger?.flush();
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(config.config.ledger.path!, { readonly: true });
      try {
        return db.prepare('select * from calls order by started_at').all() as Array<Record<string, unknown>>;
      } finally {
        db.close();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await gateway.shutdown();
      await upstream.close();
      for (const other of options.upstreams ?? []) await other.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The SSE events of a response body, as parsed JSON (or the string `[DONE]`). */
export async function sseEvents(response: Response): Promise<unknown[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => {
      const data = block.slice('data: '.length);
      return data === '[DONE]' ? data : (JSON.parse(data) as unknown);
    });
}

/** A `chat.completion.chunk` as tests read it. */
export interface Chunk {
  id: string;
  choices: Array<{ index: number; delta: { role?: string; content?: string }; finish_reason: string | null }>;
  usage?: Record<string, number>;
}

/** A `chat.completion` as tests read it. */
export interface Completion {
  choices: Array<{ message: { content: string | null; tool_calls?: unknown[] }; finish_reason: string }>;
}
