import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeUpstream, type FakeUpstream } from '../../src/testing/index.js';
import { type GatewayFixture, masterKey, startGateway } from './gateway-fixture.js';

let backup: FakeUpstream;
let gw: GatewayFixture;
beforeAll(async () => {
  backup = await createFakeUpstream();
  gw = await startGateway({
    upstreams: [backup],
    overrides: {
      gateway: { port: 0 },
      retry: { maxRetries: 0 },
      routes: {
        smart: { targets: [{ model: 'fake/fake-model' }], fallbacks: ['fake2/fake-model'] },
        solo: { targets: [{ model: 'fake2/solo-model' }] },
      },
      routing: { breaker: { failureThreshold: 2, windowMs: 60_000, cooldownMs: 300 } },
    },
  });
});
afterAll(() => gw.close());
beforeEach(() => {
  gw.upstream.reset();
  backup.reset();
});

const ask = (stream = false) =>
  gw.post('/v1/chat/completions', { model: 'smart', stream, messages: [{ role: 'user', content: 'hello' }] });

async function targetState(target: string): Promise<string> {
  const response = await fetch(`${gw.url}/admin/targets`, {
    headers: { authorization: `Bearer ${masterKey}` },
  });
  const { data } = (await response.json()) as {
    data: Array<{ target: string; state: string; route: string }>;
  };
  return data.find((row) => row.route === 'smart' && row.target === target)!.state;
}

describe('routes through the gateway', () => {
  it('lists the route in /v1/models', async () => {
    const { data } = (await (await gw.get('/v1/models')).json()) as { data: Array<{ id: string }> };
    expect(data.map((model) => model.id)).toContain('smart');
  });

  it('the first target fails, the fallback serves, and the ledger names the fallback', async () => {
    gw.upstream.enqueue({ status: 503 });
    backup.enqueue({ text: 'from the backup' });
    const response = await ask();
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]!.message.content).toBe('from the backup');
    const row = (await gw.ledgerRows()).find(
      (candidate) => candidate['request_id'] === response.headers.get('x-llmkit-request-id'),
    );
    expect(row).toMatchObject({ provider: 'fake2', model: 'fake-model', attempts: 2, status: 'ok' });
  });

  it('streams fall back too, before the first byte', async () => {
    gw.upstream.enqueue({ fault: 'reset-before-headers' });
    backup.enqueue({ chunks: ['streamed ', 'backup'] });
    const text = await (await ask(true)).text();
    expect(text).toContain('streamed ');
    expect(text).toContain('[DONE]');
  });

  it('the breaker opens after failures, skips the target, then closes through a half-open probe', async () => {
    gw.upstream.setDefault({ status: 503 });
    await ask();
    await ask();
    expect(await targetState('fake/fake-model')).toBe('open');
    const metrics = await (await gw.get('/metrics')).text();
    expect(metrics).toMatch(/llmkit_circuit_state\{route="smart",target="fake\/fake-model"\} 2/);
    const before = gw.upstream.requests.length;
    expect((await ask()).status).toBe(200);
    expect(gw.upstream.requests.length).toBe(before); // skipped while open
    gw.upstream.setDefault({});
    for (let tries = 0; tries < 100 && (await targetState('fake/fake-model')) === 'open'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await targetState('fake/fake-model')).toBe('half-open');
    expect((await ask()).status).toBe(200);
    expect(await targetState('fake/fake-model')).toBe('closed');
  });

  it('every target open is a 503 no_healthy_target with Retry-After, not a 502', async () => {
    backup.setDefault({ status: 503 });
    const solo = () =>
      gw.post('/v1/chat/completions', { model: 'solo', messages: [{ role: 'user', content: 'hello' }] });
    await solo();
    await solo();
    const response = await solo();
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('no_healthy_target');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
