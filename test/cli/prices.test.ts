import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

// `npm run build` first: these run bin/llmkit.js, as a user would.

const validData = [
  {
    id: 'openai',
    name: 'OpenAI',
    api_pattern: 'https://api\\.openai\\.com',
    models: [
      { id: 'gpt-4o-mini', match: { equals: 'gpt-4o-mini' }, prices: { input_mtok: 0.5, output_mtok: 2 } },
    ],
  },
];

let server: Server;
let baseURL: string;
const bodies: Record<string, { status: number; body: string }> = {
  '/data.json': { status: 200, body: JSON.stringify(validData) },
  '/not-json': { status: 200, body: '<html>rate limited</html>' },
  '/not-providers': { status: 200, body: JSON.stringify({ providers: 'none' }) },
  '/missing': { status: 404, body: 'not found' },
};

beforeAll(async () => {
  server = createServer((request, response) => {
    const reply = bodies[request.url ?? ''] ?? { status: 404, body: '' };
    response.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'llmkit-prices-')));
  return () => rmSync(dir, { recursive: true, force: true });
});

// Async spawn: the data server lives in this process and must keep answering meanwhile.
const llmkit = (...args: string[]) =>
  runCli(args, { cwd: dir, env: { PATH: process.env['PATH'] ?? '', HOME: dir, NO_COLOR: '1' } });
const snapshot = () => join(dir, '.llmkit', 'prices.json');

describe('llmkit prices show', () => {
  it('prints prices per 1M tokens, the context window and the source', async () => {
    const result = await llmkit('prices', 'show', 'openai/gpt-4o-mini', 'dashscope/qwen-max');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('openai/gpt-4o-mini  (genai-prices)');
    expect(result.stdout).toMatch(/input\s+\$0\.15 \/ 1M tokens/);
    expect(result.stdout).toMatch(/cached input\s+\$0\.075 \/ 1M tokens/);
    expect(result.stdout).toMatch(/output\s+\$0\.60 \/ 1M tokens/);
    expect(result.stdout).toMatch(/context window\s+128,000 tokens/);
    expect(result.stdout).toContain('dashscope/qwen-max  (llmkit)');
    expect(result.stdout).toMatch(
      /figures from\s+https:\/\/www\.alibabacloud\.com\/\S+ \(read \d{4}-\d{2}-\d{2}\)/,
    );
  });

  it('says so when a model has no known price, and exits 0', async () => {
    const result = await llmkit('prices', 'show', 'deepseek/deepseek-imaginary', 'ollama/llama3.2');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('deepseek/deepseek-imaginary  no known price');
    expect(result.stdout).toContain('ollama/llama3.2  (self-hosted)');
  });

  it('prints JSON with --json, config overrides included', async () => {
    writeFileSync(
      join(dir, 'llmkit.config.json'),
      JSON.stringify({
        prices: { 'openai/gpt-4o': { input: 2, output: 8, tiers: [{ aboveInputTokens: 1000, input: 4 }] } },
      }),
    );
    const result = await llmkit('prices', 'show', '--json', 'openai/gpt-4o', 'openai/nope');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      models: [
        {
          model: 'openai/gpt-4o',
          known: true,
          source: 'config',
          price: { input: 2, output: 8, tiers: [{ aboveInputTokens: 1000, input: 4 }] },
        },
        { model: 'openai/nope', known: false },
      ],
    });
  });
});

describe('llmkit prices update', () => {
  it('downloads the data, writes <home>/prices.json, and show then uses it', async () => {
    const result = await llmkit('prices', 'update', '--url', `${baseURL}/data.json`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`wrote prices of 1 models from 1 providers to ${snapshot()}`);
    expect(JSON.parse(readFileSync(snapshot(), 'utf8'))).toEqual(validData);
    const shown = await llmkit('prices', 'show', 'openai/gpt-4o-mini');
    expect(shown.stdout).toContain('openai/gpt-4o-mini  (snapshot)');
    expect(shown.stdout).toMatch(/input\s+\$0\.50 \/ 1M tokens/);
  });

  it.each([
    ['JSON that is not JSON', '/not-json', 1, /not JSON/],
    ['JSON that is not a provider list', '/not-providers', 1, /not a genai-prices provider list/],
    ['an HTTP error', '/missing', 3, /HTTP 404/],
  ])('keeps the old file and exits with a one-line error on %s', async (_case, path, code, message) => {
    await llmkit('prices', 'update', '--url', `${baseURL}/data.json`);
    const before = readFileSync(snapshot(), 'utf8');
    const result = await llmkit('prices', 'update', '--url', `${baseURL}${path}`);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(snapshot(), 'utf8')).toBe(before);
  });

  it('exits 3 when nothing answers, and writes nothing', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await llmkit('prices', 'update', '--url', `http://127.0.0.1:${port}/data.json`);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^llmkit: APIConnectionError: downloading .* failed/);
    expect(existsSync(snapshot())).toBe(false);
  });

  it('refuses a --url that is not http(s)', async () => {
    const result = await llmkit('prices', 'update', '--url', 'file:///etc/passwd');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--url must be an http(s) URL');
  });
});
