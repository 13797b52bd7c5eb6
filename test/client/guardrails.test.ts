import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, GuardrailError } from '../../src/errors/index.js';
import { clientFor } from '../support/client-for.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();
const directory = mkdtempSync(join(tmpdir(), 'llmkit-guard-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let databases = 0;

function guarded(guardrails: unknown[], overrides: Record<string, unknown> = {}) {
  return clientFor(fixture.current, {
    overrides: {
      guardrails,
      ledger: { enabled: true, path: join(directory, `ledger-${++databases}.db`) },
      ...overrides,
    },
  });
}

async function metric(client: { metrics: { registry: { getSingleMetric(name: string): unknown } } }) {
  const counter = client.metrics.registry.getSingleMetric('llmkit_guard_decisions_total') as {
    get(): Promise<{ values: Array<{ labels: Record<string, string>; value: number }> }>;
  };
  return (await counter.get()).values.map(
    (entry): Record<string, string | number> => ({ ...entry.labels, value: entry.value }),
  );
}

describe('input guard', () => {
  it('blocks: GuardrailError names the rule and span, nothing is sent, nothing is billed or recorded', async () => {
    const { client, logs } = guarded([{ name: 'no-pii', detectors: ['email', 'cn-id'], action: 'block' }]);
    const error = await client
      .generate([
        { role: 'system', content: 'be brief' },
        { role: 'user', content: '请把合同发给 zhang.wei@example.com 谢谢' },
      ])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GuardrailError);
    const refusal = error as GuardrailError;
    expect(refusal.message).toMatch(
      /^guard rule "no-pii" \(email\) blocked the input: EMAIL at message 1, characters 7-28 \(/,
    );
    expect(refusal.message).not.toContain('zhang.wei');
    expect(refusal).toMatchObject({
      rule: 'no-pii',
      matcher: 'email',
      direction: 'input',
      start: 7,
      end: 28,
      messageIndex: 1,
      exitCode: 4,
    });
    expect(fixture.current.requests).toHaveLength(0);
    expect((await client.usage.summary()).totals.calls).toBe(0);
    expect(client.totalCost).toBe(0);
    expect(await metric(client)).toEqual([
      { rule: 'no-pii', matcher: 'email', action: 'block', direction: 'input', value: 1 },
    ]);
    const line = logs().find((entry) => entry['event'] === 'guard')!;
    expect(line).toMatchObject({
      direction: 'input',
      decisions: [{ rule: 'no-pii', matcher: 'email', action: 'block', count: 1 }],
    });
    expect(JSON.stringify(logs())).not.toContain('zhang.wei@example.com');
  });

  it('redacts before sending: the upstream sees placeholders, the caller’s messages stay untouched', async () => {
    const { client } = guarded([
      { name: 'pii', detectors: ['phone', 'cn-id', 'bank-card', 'secret'], action: 'redact' },
    ]);
    const messages = [
      {
        role: 'user' as const,
        content:
          '手机１３８００１３８０００，身份证11010519491231002X，卡号4111 1111 1111 1111，key sk-proj-Ab3dEfGh1jKlMn0pQrStUvWx',
      },
    ];
    await client.generate(messages);
    expect(fixture.current.requests[0]!.body.messages[0].content).toBe(
      '手机[PHONE]，身份证[CN_ID]，卡号[BANK_CARD]，key [SECRET]',
    );
    expect(messages[0]!.content).toContain('１３８００１３８０００');
    const counts = await metric(client);
    expect(counts.map((entry) => [entry.matcher, entry.action, entry.value])).toEqual(
      expect.arrayContaining([
        ['phone', 'redact', 1],
        ['cn-id', 'redact', 1],
        ['bank-card', 'redact', 1],
        ['secret', 'redact', 1],
      ]),
    );
  });

  it('matches banned Chinese terms without word boundaries and through full-width and zero-width evasions', async () => {
    const { client } = guarded([{ name: 'banned', terms: ['机密', 'secret'], action: 'block' }]);
    for (const text of ['这是机密文件', '这是机\u200b密文件', 'top ＳＥＣＲＥＴ plan']) {
      await expect(client.generate(text)).rejects.toThrow(GuardrailError);
    }
    await client.generate('a secretary wrote it');
    expect(fixture.current.requests).toHaveLength(1);
  });

  it('mask-logs sends the text as is and masks it in the call log', async () => {
    const { client, logs } = guarded(
      [{ name: 'quiet', detectors: ['email'], action: 'mask-logs', apply: ['input', 'output'] }],
      {
        log: { content: true },
      },
    );
    fixture.current.enqueue({ text: 'reply to li@example.org' });
    const result = await client.generate('mail bob@example.com');
    expect(fixture.current.requests[0]!.body.messages[0].content).toBe('mail bob@example.com');
    expect(result.text).toBe('reply to li@example.org');
    const call = logs().find((entry) => entry['event'] === 'call')!;
    expect(call['input']).toEqual([{ role: 'user', content: 'mail [EMAIL]' }]);
    expect(call['output']).toBe('reply to [EMAIL]');
    expect(JSON.stringify(logs())).not.toMatch(/bob@example|li@example/);
    expect((await metric(client)).map((entry) => [entry.direction, entry.action, entry.value])).toEqual([
      ['input', 'mask-logs', 1],
      ['output', 'mask-logs', 1],
    ]);
  });

  it('enforces character and token limits before anything is sent', async () => {
    const { client } = guarded([
      { name: 'chars', maxInputChars: 20 },
      { name: 'tokens', maxInputTokens: 5 },
    ]);
    await expect(client.generate('x'.repeat(21))).rejects.toThrow(
      /^guard rule "chars" blocked the input: 21 characters, over its limit of 20/,
    );
    await expect(client.generate('a b c d e f g h i j')).rejects.toThrow(
      /^guard rule "tokens" blocked the input: \d+ tokens, over its limit of 5/,
    );
    expect(fixture.current.requests).toHaveLength(0);
  });

  it('applies a rule only to calls in its scope', async () => {
    const { client } = guarded([
      { name: 'support-pii', detectors: ['email'], action: 'block', scope: 'project:support' },
    ]);
    await client.generate('a@b.co is fine here', { project: 'sales' });
    await expect(client.generate('a@b.co is not', { project: 'support' })).rejects.toThrow(GuardrailError);
  });
});

describe('output guard on streams', () => {
  it('redacts an email split across deltas; the caller never sees it whole or in pieces', async () => {
    const { client } = guarded([{ name: 'pii', detectors: ['email'], action: 'redact', apply: ['output'] }]);
    fixture.current.enqueue({ chunks: ['Write to ', 'ada.love', 'lace@exam', 'ple.com', ' today.'] });
    const stream = client.stream('contact?');
    const deltas: string[] = [];
    for await (const event of stream) if (event.type === 'text-delta') deltas.push(event.text);
    expect(deltas.join('')).toBe('Write to [EMAIL] today.');
    expect(deltas.some((delta) => /love|exam|ple\.com/.test(delta))).toBe(false);
    expect((await stream.result).text).toBe('Write to [EMAIL] today.');

    fixture.current.enqueue({ chunks: ['call 138', '0013', '8000 now'] });
    const { text } = await client.generate('phone?');
    expect(text).toBe('call 13800138000 now');
  });

  it('blocks mid-stream: text before the match arrives, then GuardrailError; the call is billed for what was received', async () => {
    const { client } = guarded(
      [{ name: 'no-keys', detectors: ['secret'], action: 'block', apply: ['output'] }],
      {
        prices: { 'fake/fake-model': { input: 1, output: 2 } },
      },
    );
    const before =
      'Here is a long preamble that is safe to show to the user before anything sensitive appears. ';
    fixture.current.enqueue({ chunks: [before, 'key: sk-', 'Abc123defGHI456jklMNO789pq', ' end'] });
    const stream = client.stream('leak it');
    let shown = '';
    const error = await (async () => {
      for await (const event of stream) if (event.type === 'text-delta') shown += event.text;
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GuardrailError);
    expect((error as GuardrailError).direction).toBe('output');
    expect((error as GuardrailError).message).toMatch(
      /^guard rule "no-keys" \(secret\) blocked the output: SECRET at output characters/,
    );
    expect(shown).not.toContain('sk-');
    // What came before the match was released as it arrived; the match itself never was.
    expect(shown).toMatch(/^Here is a long preamble/);
    expect(`${before}key: `.startsWith(shown)).toBe(true);
    await expect(stream.result).rejects.toThrow(GuardrailError);
    const summary = await client.usage.summary({ groupBy: 'status' });
    expect(summary.rows).toEqual([expect.objectContaining({ group: 'error', calls: 1 })]);
    expect(summary.totals.costNanos).toBeGreaterThan(0);
  });
});

describe('tool-call arguments', () => {
  it('output rules guard generateObject in tool mode: a blocked detector in the arguments stops the call', async () => {
    const { client } = guarded(
      [{ name: 'no-email', detectors: ['email'], action: 'block', apply: ['output'] }],
      {
        providers: {
          fake: { baseURL: fixture.current.url, apiKeyRequired: false, structuredOutput: 'tool' },
        },
      },
    );
    fixture.current.enqueue({
      toolCalls: [{ name: 'response', arguments: '{"contact":"ada@example.com"}' }],
    });
    const error = await client
      .generateObject({
        schema: { type: 'object', properties: { contact: { type: 'string' } } },
        prompt: 'p',
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GuardrailError);
    expect((error as GuardrailError).direction).toBe('output');
  });

  it('redacts arguments in output and in the tool-loop history sent back upstream', async () => {
    const { client } = guarded([
      { name: 'pii', detectors: ['email'], action: 'redact', apply: ['input', 'output'] },
    ]);
    fixture.current.enqueue(
      { toolCalls: [{ id: 'm1', name: 'mail', arguments: '{"to":"ada@example.com"}' }] },
      { text: 'sent' },
    );
    const seen: unknown[] = [];
    await client.generate('mail her', {
      tools: {
        mail: {
          parameters: { type: 'object', properties: { to: { type: 'string' } } },
          execute: (args) => {
            seen.push(args);
            return 'ok';
          },
        },
      },
    });
    expect(seen).toEqual([{ to: '[EMAIL]' }]);
    const history = JSON.stringify(fixture.current.requests[1]!.body.messages);
    expect(history).not.toContain('ada@example.com');
    expect(history).toContain('[EMAIL]');
  });
});

describe('guard config', () => {
  it.each([
    [{ name: 'r', regex: '(' }, /guardrails\.0\.regex .*regex \/\(\/ does not compile/],
    [{ name: 'r', regex: '(a)\\1' }, /guardrails\.0\.regex .*cannot run in linear time/],
    [
      { name: 'r', detectors: ['passport'] },
      /guardrails\.0\.detectors\.0 .*"passport" is not a detector; the detectors are email, phone/,
    ],
    [{ name: 'r' }, /needs one of detectors, terms, regex/],
    [{ name: 'r', terms: [] }, /guardrails\.0\.terms /],
    [{ name: 'r', maxInputChars: 10, action: 'redact' }, /must be block for input limits/],
  ])('refuses %j at load time in one line', (rule, message) => {
    let caught: unknown;
    try {
      guarded([rule]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });

  it('runs a catastrophic-backtracking pattern in linear time instead of hanging', async () => {
    const { client } = guarded([{ name: 'evil', regex: '(a+)+$', action: 'redact' }]);
    await client.generate(`${'a'.repeat(50_000)}!`);
    expect(fixture.current.requests[0]!.body.messages[0].content).toBe(`${'a'.repeat(50_000)}!`);
  });
});
