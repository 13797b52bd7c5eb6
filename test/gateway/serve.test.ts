import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type CliFixture, expectOneErrorLine, testCli } from '../cli/cli-fixture.js';
import { sseEvents } from './gateway-fixture.js';

const body = {
  model: 'fake/fake-model',
  stream: true,
  messages: [{ role: 'user', content: 'a long story' }],
};

async function startServe(cli: CliFixture, gateway: Record<string, unknown> = {}) {
  cli.writeConfig({ ...cli.config(), gateway: { port: 0, ...gateway } });
  const server = cli.start(['serve']);
  await server.waitForStdout(/listening on http:\/\/127\.0\.0\.1:\d+/);
  const url = /listening on (http:\/\/\S+)/.exec(server.stdout)![1]!;
  return { server, url };
}

function ledgerRows(cli: CliFixture) {
  const db = new Database(join(cli.dir, '.llmkit', 'llmkit.db'), { readonly: true });
  try {
    return db.prepare('select * from calls').all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

describe.concurrent('llmkit serve', () => {
  it('on SIGTERM: /readyz turns 503, the stream in flight finishes, the ledger is flushed, exit 0', async (context) => {
    const cli = await testCli(context);
    cli.upstream.setDefault({
      chunks: Array.from({ length: 20 }, (_, i) => `w${i} `),
      interTokenDelayMs: 40,
    });
    const { server, url } = await startServe(cli, { shutdownGraceMs: 10_000 });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    const events = sseEvents(response);
    server.signal('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    const refused = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, stream: false }),
    });
    expect(refused.status).toBe(503);
    const received = await events;
    expect(received.at(-1)).toBe('[DONE]');
    const result = await server.done;
    expect(result.code, result.stderr).toBe(0);
    const rows = ledgerRows(cli);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'ok', streamed: 1 });
  });

  it('a stream still running at the shutdown deadline is cut with an error event, and recorded', async (context) => {
    const cli = await testCli(context);
    cli.upstream.setDefault({
      chunks: Array.from({ length: 200 }, (_, i) => `w${i} `),
      interTokenDelayMs: 40,
    });
    const { server, url } = await startServe(cli, { shutdownGraceMs: 300 });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const events = sseEvents(response);
    server.signal('SIGTERM');
    const received = await events;
    expect(received).not.toContain('[DONE]');
    expect((received.at(-1) as { error: { code: string } }).error.code).toBe('aborted');
    const result = await server.done;
    expect(result.code, result.stderr).toBe(0);
    expect(ledgerRows(cli)[0]).toMatchObject({ status: 'aborted' });
  });

  it('refuses to listen beyond loopback without authentication', async (context) => {
    const cli = await testCli(context);
    cli.writeConfig({ ...cli.config(), gateway: { port: 0 } });
    const result = await cli.run(['serve', '--host', '0.0.0.0']);
    expect(expectOneErrorLine(result, 2)).toMatch(
      /refusing to serve 0\.0\.0\.0 without authentication.*LLMKIT_MASTER_KEY/,
    );
  });

  it('a port in use is one line and exit 1', async (context) => {
    const cli = await testCli(context);
    const { server, url } = await startServe(cli);
    const port = new URL(url).port;
    const result = await cli.run(['serve', '--port', port]);
    expect(expectOneErrorLine(result, 1)).toMatch(/cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\).*--port/);
    server.signal('SIGTERM');
    await server.done;
  });

  it('--demo answers without any key or config', async (context) => {
    const cli = await testCli(context);
    cli.writeConfig({ gateway: { port: 0 } });
    const server = cli.start(['serve', '--demo']);
    await server.waitForStdout(/listening on/);
    const url = /listening on (http:\/\/\S+)/.exec(server.stdout)![1]!;
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo/demo-model', messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message
        .content,
    ).toBe('echo: hello');
    server.signal('SIGTERM');
    expect((await server.done).code).toBe(0);
  });
});
