import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, startGateway } from './gateway-fixture.js';

let gw: GatewayFixture;
beforeAll(async () => {
  gw = await startGateway({
    overrides: {
      gateway: { port: 0, bodyLimitBytes: 1024 * 1024, headersTimeoutMs: 500, requestTimeoutMs: 1500 },
    },
  });
});
afterAll(() => gw.close());

const gigabyte = 1024 ** 3;

/** Sends up to 1 GB of body; resolves with the status the gateway answered and how much was sent by then. */
function sendHugeBody(chunked: boolean): Promise<{ status: number | undefined; sent: number }> {
  const { port } = new URL(gw.url);
  return new Promise((resolve) => {
    let sent = 0;
    let status: number | undefined;
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/chat/completions',
      headers: {
        authorization: `Bearer ${gw.key}`,
        'content-type': 'application/json',
        ...(chunked ? {} : { 'content-length': String(gigabyte) }),
      },
    });
    const finish = () => resolve({ status, sent });
    req.on('response', (response) => {
      status = response.statusCode;
      response.resume();
      response.on('end', finish);
    });
    req.on('error', finish);
    const pump = () => {
      while (status === undefined && !req.destroyed && sent < gigabyte) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (sent >= gigabyte) req.end();
    };
    pump();
  });
}

describe('hardening', () => {
  it('refuses a 1 GB body with 413 as soon as its length is known, without reading it', async () => {
    const { status, sent } = await sendHugeBody(false);
    expect(status).toBe(413);
    expect(sent).toBeLessThan(gigabyte / 8);
    expect(gw.upstream.requests).toHaveLength(0);
  });

  it('refuses a chunked 1 GB body with 413 once it passes the limit', async () => {
    const { status, sent } = await sendHugeBody(true);
    expect(status).toBe(413);
    expect(sent).toBeLessThan(gigabyte / 8);
  });

  it('closes a slowloris client that never finishes its headers', async () => {
    const { port } = new URL(gw.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    let answer = '';
    socket.on('data', (data) => {
      answer += String(data);
    });
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 200);
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(trickle);
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('closes a client whose body trickles in slower than the request timeout', async () => {
    const { port } = new URL(gw.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${gw.key}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
    );
    const trickle = setInterval(() => socket.write(' '), 200);
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(trickle);
    expect(gw.upstream.requests).toHaveLength(0);
  });

  it('reports its own overhead on every call in x-llmkit-overhead-ms, upstream time excluded', async () => {
    // Warm: the first call of a process also pays one-off costs (the key's scrypt check).
    await gw.post('/v1/chat/completions', {
      model: 'fake/fake-model',
      messages: [{ role: 'user', content: 'hi' }],
    });
    gw.upstream.enqueue({ latencyMs: 300 });
    const response = await gw.post('/v1/chat/completions', {
      model: 'fake/fake-model',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.status).toBe(200);
    const overhead = Number(response.headers.get('x-llmkit-overhead-ms'));
    // The upstream took 300 ms; the gateway's own share is what is left, far below it.
    expect(overhead).toBeGreaterThanOrEqual(0);
    expect(overhead).toBeLessThan(300);
  });
});
