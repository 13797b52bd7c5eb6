import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { LLMClient } from '../../client/llm-client.js';
import { loadConfig } from '../../config/load-config.js';
import { createLogger } from '../../logging/logger.js';
import { formatUsd } from '../../pricing/index.js';
import { createFakeUpstream } from '../../testing/fake-upstream.js';
import { closeQuietly, reportError } from '../cli-context.js';

/**
 * Runs the client against the bundled fake upstream with faults injected, so a fresh clone
 * shows what llmkit does without any key or network: retries on 429, a stalled stream cut by
 * the first-token timeout and retried, and the running totals.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run a few calls against the bundled fake upstream, with injected faults')
    .action(async () => {
      try {
        await demo();
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}

async function demo(): Promise<void> {
  const upstream = await createFakeUpstream({ models: ['fake-model'] });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    // Isolated from the working directory's config, .env and environment, so the demo
    // shows the same thing on every machine; its ledger lives in a temporary directory.
    const home = mkdtempSync(join(tmpdir(), 'llmkit-demo-'));
    const loaded = loadConfig({
      cwd: home,
      env: {},
      envFile: false,
      overrides: {
        home,
        defaultModel: 'fake/fake-model',
        providers: { fake: { baseURL: upstream.url, apiKeyRequired: false } },
        prices: { 'fake/fake-model': { input: 0.27, output: 1.1 } },
        retry: { baseDelayMs: 100 },
        timeouts: { firstTokenMs: 500 },
        guardrails: [{ name: 'pii', detectors: ['email', 'phone'], action: 'redact' }],
      },
    });
    const client = new LLMClient({
      config: loaded,
      logger: createLogger({ stderrLevel: 'silent', level: 'silent' }),
    });
    out(`fake upstream listening at ${upstream.url}\n`);

    out('1. The upstream answers 429 (retry-after-ms: 300) once; llmkit waits and retries:');
    upstream.enqueue(
      { status: 429, headers: { 'retry-after-ms': '300' } },
      { text: 'Hello from the retried attempt.' },
    );
    const first = await client.generate('Say hello');
    out(`   → "${first.text}" after ${first.attempts} attempts in ${first.latencyMs} ms\n`);

    out(
      '2. A stream stalls before its first token; the first-token timeout (500 ms) fires and the call is retried:',
    );
    upstream.enqueue(
      { ttftMs: 5_000 },
      { chunks: ['Streams ', 'survive ', 'stalls.'], interTokenDelayMs: 80 },
    );
    process.stdout.write('   → ');
    const stream = client.stream('Tell me about streams');
    for await (const event of stream) if (event.type === 'text-delta') process.stdout.write(event.text);
    const second = await stream.result;
    out(`\n   ${second.attempts} attempts, ${second.usage?.totalTokens} tokens, ttft ${second.ttftMs} ms\n`);

    out('3. A 401 is not retried; the error says what to check:');
    upstream.enqueue({
      status: 401,
      body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } },
    });
    try {
      await client.generate('This will fail');
    } catch (error) {
      out(`   → ${(error as Error).name}: ${(error as Error).message}\n`);
    }

    out('4. generateObject: the first answer does not match the schema; llmkit re-asks with the issues:');
    upstream.enqueue(
      { text: '{"key_people":["Ada Lovelace"],"time_period":1843}' },
      { text: '{"key_people":["Ada Lovelace"],"time_period":"1843","importance":"high"}' },
    );
    const extracted = await client.generateObject({
      schema: {
        type: 'object',
        properties: {
          key_people: { type: 'array', items: { type: 'string' } },
          time_period: { type: 'string' },
          importance: { enum: ['low', 'medium', 'high'] },
        },
        required: ['key_people', 'time_period', 'importance'],
      },
      prompt: 'Ada Lovelace published the first program in 1843.',
    });
    out(
      `   → ${JSON.stringify(extracted.object)} after ${extracted.attempts} attempts (${extracted.mode})\n`,
    );

    out('5. A guard rule redacts personal data before it leaves: the upstream received');
    await client.generate('Mail ada@example.com or call 13800138000');
    const sent = upstream.requests.at(-1)?.body?.messages?.at(-1)?.content;
    out(`   → "${String(sent)}"\n`);

    const totals = client.totals;
    out(
      `Totals: ${totals.calls} calls (${totals.succeeded} ok, ${totals.failed} failed), ${totals.attempts} attempts, ${totals.totalTokens} tokens, ${formatUsd(totals.costNanos)} at $0.27/$1.10 per 1M tokens.`,
    );
    const summary = await client.usage.summary({ groupBy: 'status' });
    out(
      `Ledger: ${summary.rows.map((row) => `${row.calls} ${row.group}`).join(', ')} (a retried call is one row).`,
    );
    await closeQuietly(client);
    rmSync(home, { recursive: true, force: true });
    out(
      'Point llmkit at a real provider with e.g. DEEPSEEK_API_KEY=... llmkit run -m deepseek/deepseek-chat "hi"',
    );
  } finally {
    await upstream.close();
  }
}
