import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayFixture, startGateway } from './gateway-fixture.js';

let gw: GatewayFixture | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

/** A request written on a raw socket, so the test decides whether (and when) the answer is read. */
function rawPost(url: string, key: string, body: unknown): Socket {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.on('error', () => {});
  const text = JSON.stringify(body);
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
  return socket;
}

describe('gateway edge cases', () => {
  it('the admin API cannot be reached with a percent-encoded path and a plain gateway key', async () => {
    gw = await startGateway();
    for (const path of ['/%61dmin/keys', '/admin/%6beys', '/%61dmin/targets']) {
      const response = await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${gw.key}` } });
      expect(response.status).toBe(401);
    }
    const created = await fetch(`${gw.url}/%61dmin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'escalated' }),
    });
    expect(created.status).toBe(401);
    expect(gw.keys.list().map((key) => key.name)).not.toContain('escalated');
  });

  it('a shutdown cuts a stream whose client stopped reading, instead of waiting for it forever', async () => {
    gw = await startGateway({ overrides: { gateway: { port: 0, shutdownGraceMs: 200 } } });
    // Far more than the socket buffers hold, so the gateway is left waiting for 'drain'.
    gw.upstream.setDefault({ chunks: Array.from({ length: 6000 }, () => 'word '.repeat(800)) });
    const socket = rawPost(gw.url, gw.key, {
      model: 'fake/fake-model',
      stream: true,
      messages: [{ role: 'user', content: 'a long answer' }],
    });
    socket.pause();
    for (let tries = 0; tries < 100 && gw.gateway.inflight.size === 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(gw.gateway.inflight.size).toBe(1);
    const outcome = await Promise.race([
      gw.gateway.shutdown().then(() => 'stopped'),
      new Promise((resolve) => setTimeout(resolve, 3000, 'hung')),
    ]);
    socket.destroy();
    expect(outcome).toBe('stopped');
    expect(gw.gateway.inflight.size).toBe(0);
  }, 15_000);

  it('a request still in its key check when SIGTERM comes gets a 503, not a reset, and nothing is sent', async () => {
    gw = await startGateway();
    const fixture = gw;
    const { key } = fixture.keys.create({ name: 'slow-first-check' });
    const verify = fixture.keys.verify.bind(fixture.keys);
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = () => {};
    const checking = new Promise<void>((resolve) => {
      started = resolve;
    });
    fixture.keys.verify = async (presented: string) => {
      started();
      await gate;
      return verify(presented);
    };
    const response = fixture.post(
      '/v1/chat/completions',
      { model: 'fake/fake-model', messages: [{ role: 'user', content: 'hi' }] },
      { key },
    );
    await checking;
    const stopped = fixture.gateway.shutdown();
    release();
    const answer = await response;
    expect(answer.status).toBe(503);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('shutting_down');
    await stopped;
    expect(fixture.upstream.requests).toHaveLength(0);
  });
});
