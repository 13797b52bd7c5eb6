import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayFixture, startGateway } from './gateway-fixture.js';

let gw: GatewayFixture;
beforeAll(async () => {
  gw = await startGateway({ overrides: { gateway: { port: 0, maxChoices: 4 } } });
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

const messages = [{ role: 'user', content: 'hello' }];

describe('bad input gets a 400 naming the field, and the ledger records the refusal', () => {
  it.for([
    {
      name: 'malformed JSON',
      body: '{"model": "fake/fake-model", "messages": [',
      param: null,
      match: /not valid JSON/,
    },
    {
      name: 'no messages',
      body: { model: 'fake/fake-model' },
      param: 'messages',
      match: /^messages is required/,
    },
    {
      name: 'a bad role',
      body: { model: 'fake/fake-model', messages: [{ role: 'robot', content: 'x' }] },
      param: 'messages[0].role',
      match: /role must be one of system, developer, user, assistant, tool/,
    },
    {
      name: 'a temperature out of range',
      body: { model: 'fake/fake-model', messages, temperature: 7 },
      param: 'temperature',
      match: /^temperature /,
    },
    {
      name: 'an unknown model',
      body: { model: 'nosuch/model-x', messages },
      param: 'model',
      match: /nosuch/,
    },
    {
      name: 'n above the limit',
      body: { model: 'fake/fake-model', messages, n: 5 },
      param: 'n',
      match: /n must be at most 4 on this gateway \(gateway.maxChoices\)/,
    },
  ])('$name', async ({ body, param, match }) => {
    const before = (await gw.ledgerRows()).length;
    const response = await gw.post('/v1/chat/completions', body);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: Record<string, unknown> };
    expect(error['type']).toBe('invalid_request_error');
    expect(error['param'] ?? null).toBe(param);
    expect(String(error['message'])).toMatch(match);
    expect(String(error['message'])).not.toContain('\n');
    expect(gw.upstream.requests).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const rows = await gw.ledgerRows();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({ status: 'error', attempts: 0, cost_nanos: 0, gateway_key: 'test' });
    expect(['InvalidRequestError', 'ModelNotFoundError']).toContain(rows.at(-1)!['error_class']);
  });

  it('a refused request with an unknown model names it in the ledger row', async () => {
    await gw.post('/v1/chat/completions', { model: 'nosuch/model-y', messages });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const row = (await gw.ledgerRows()).at(-1)!;
    expect(row).toMatchObject({ model: 'nosuch/model-y', error_class: 'ModelNotFoundError' });
  });

  it('a body that is not JSON at all is a 400 in the OpenAI shape, not an HTML page', async () => {
    const response = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.key}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { type: string; message: string } };
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toMatch(/^the request body /);
  });
});

describe('other bad requests', () => {
  it('an unknown route is a 404 in the OpenAI shape', async () => {
    const response = await gw.get('/v1/nope');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string; type: string } }).error).toMatchObject({
      code: 'not_found',
      type: 'not_found_error',
    });
  });

  it('a bad /generate body is refused naming the field and recorded in the ledger', async () => {
    const before = (await gw.ledgerRows()).length;
    const response = await gw.post('/generate', { text: 'x', temperature: 'hot' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('temperature');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await gw.ledgerRows()).length).toBe(before + 1);
  });
});
