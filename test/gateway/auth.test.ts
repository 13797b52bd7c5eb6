import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayFixture, masterKey, startGateway } from './gateway-fixture.js';

let gw: GatewayFixture;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

const hello = { model: 'fake/fake-model', messages: [{ role: 'user', content: 'hello' }] };

async function errorOf(response: Response) {
  return ((await response.json()) as { error: Record<string, unknown> }).error;
}

describe('gateway keys', () => {
  it('turns away a request without a valid key with a 401 in the OpenAI shape, sending nothing upstream', async () => {
    for (const key of ['', 'llmk_nope_nope', `${gw.key}x`]) {
      const response = await gw.post('/v1/chat/completions', hello, { key });
      expect(response.status).toBe(401);
      expect(await errorOf(response)).toMatchObject({
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      });
    }
    expect(gw.upstream.requests).toHaveLength(0);
  });

  it('accepts x-api-key as well as a bearer token, and names the key in the ledger', async () => {
    const { key } = gw.keys.create({ name: 'team-ledger' });
    const response = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(hello),
    });
    expect(response.status).toBe(200);
    const id = response.headers.get('x-llmkit-request-id');
    const row = (await gw.ledgerRows()).find((candidate) => candidate['request_id'] === id);
    expect(row?.['gateway_key']).toBe('team-ledger');
  });

  it('never accepts the stored hash as a credential', async () => {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(gw.client.config.config.gateway.keysPath!, { readonly: true });
    const rows = db.prepare('select * from gateway_keys').all() as Array<Record<string, unknown>>;
    db.close();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      for (const value of Object.values(row)) {
        if (typeof value !== 'string' && !Buffer.isBuffer(value)) continue;
        const text = Buffer.isBuffer(value) ? value.toString('base64url') : value;
        const response = await gw.post('/v1/chat/completions', hello, { key: text });
        expect(response.status).toBe(401);
      }
    }
  });

  it('a revoked key stops working at once', async () => {
    const { key } = gw.keys.create({ name: 'short-lived' });
    expect((await gw.post('/v1/chat/completions', hello, { key })).status).toBe(200);
    const revoke = await fetch(`${gw.url}/admin/keys/short-lived`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${masterKey}` },
    });
    expect(revoke.status).toBe(200);
    expect((await gw.post('/v1/chat/completions', hello, { key })).status).toBe(401);
  });

  it('a key with a model allowlist may call only those models', async () => {
    const { key } = gw.keys.create({ name: 'narrow', models: ['fake/fake-model'] });
    expect((await gw.post('/v1/chat/completions', hello, { key })).status).toBe(200);
    const other = await gw.post('/v1/chat/completions', { ...hello, model: 'fake/other-model' }, { key });
    expect(other.status).toBe(403);
    expect(await errorOf(other)).toMatchObject({
      code: 'model_not_allowed',
      param: 'model',
      type: 'permission_error',
    });
    const models = (await (await gw.get('/v1/models', key)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((model) => model.id)).toEqual(['fake/fake-model']);
  });
});

describe('/admin', () => {
  const admin = (path: string, init: RequestInit = {}, key = masterKey) =>
    fetch(`${gw.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers },
    });

  it('needs the master key: a gateway key gets a 401', async () => {
    const response = await admin('/admin/keys', {}, gw.key);
    expect(response.status).toBe(401);
    expect(await errorOf(response)).toMatchObject({ code: 'invalid_api_key' });
  });

  it('creates a key (shown once), lists keys without secrets, and revokes by id', async () => {
    const created = await admin('/admin/keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'from-admin', budget: '5/day', rpm: 60, models: ['fake/fake-model'] }),
    });
    expect(created.status).toBe(201);
    const record = (await created.json()) as { key: string; id: string };
    expect(record).toMatchObject({ name: 'from-admin', rpm: 60, budget: { limitUsd: 5, period: 'day' } });
    expect((await gw.post('/v1/chat/completions', hello, { key: record.key })).status).toBe(200);
    const listed = await (await admin('/admin/keys')).text();
    expect(listed).toContain('from-admin');
    expect(listed).not.toContain(record.key);
    expect(listed).not.toContain(String(record.key).split('_').at(-1));
    const revoked = await admin(`/admin/keys/${record.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect((await admin(`/admin/keys/${record.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses a bad key request naming the field', async () => {
    const response = await admin('/admin/keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'x', budget: 'lots' }),
    });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ param: 'budget' });
  });

  it('reports usage from the ledger and the route targets', async () => {
    await gw.post('/v1/chat/completions', hello);
    const usage = (await (await admin('/admin/usage?period=today&groupBy=model')).json()) as {
      rows: Array<{ group: string }>;
      totals: { calls: number };
    };
    expect(usage.rows.some((row) => row.group === 'fake-model')).toBe(true);
    expect(usage.totals.calls).toBeGreaterThan(0);
    const bad = await admin('/admin/usage?groupBy=planet');
    expect(bad.status).toBe(400);
    const targets = await admin('/admin/targets');
    expect(targets.status).toBe(200);
    expect(((await targets.json()) as Record<string, unknown>)['object']).toBe('list');
  });
});

describe('per-key limits through the gateway', () => {
  it('a key over its rpm gets a 429 with Retry-After and an OpenAI-shaped body', async () => {
    const { key } = gw.keys.create({ name: 'two-per-minute', rpm: 2 });
    expect((await gw.post('/v1/chat/completions', hello, { key })).status).toBe(200);
    expect((await gw.post('/v1/chat/completions', hello, { key })).status).toBe(200);
    const limited = await gw.post('/v1/chat/completions', hello, { key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(61);
    expect(await errorOf(limited)).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
    expect(gw.upstream.requests).toHaveLength(2);
  });

  it('a key with a spent budget gets a 429 that tells clients not to retry', async () => {
    // $1/$2 per 1M tokens: a worst case of 4,096 output tokens is ~$0.008, above a $0.001 budget.
    const { key } = gw.keys.create({ name: 'tiny-budget', budget: { limitUsd: 0.001, period: 'day' } });
    const refused = await gw.post('/v1/chat/completions', hello, { key });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-should-retry')).toBe('false');
    expect(await errorOf(refused)).toMatchObject({ type: 'insufficient_quota', code: 'budget_exceeded' });
    expect(gw.upstream.requests).toHaveLength(0);
  });
});

describe('key budgets in /metrics', () => {
  it('llmkit_budget_used_ratio shows a key budget once the key has made a call', async () => {
    const { key } = gw.keys.create({ name: 'metered', budget: { limitUsd: 100, period: 'month' } });
    expect((await gw.post('/v1/chat/completions', hello, { key })).status).toBe(200);
    const text = await (await gw.get('/metrics')).text();
    expect(text).toMatch(
      /llmkit_budget_used_ratio\{budget="key:metered",scope="key:metered",period="month"\} [\d.e-]+/,
    );
  });
});
