import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneErrorLine, testCli } from './cli-fixture.js';

describe.concurrent('llmkit usage', () => {
  it('reports the calls made by `llmkit run`, grouped, with a totals line, as a table, JSON and CSV', async (context) => {
    const cli = await testCli(context);
    cli.writeConfig({ ...cli.config(), prices: { 'fake/fake-model': { input: 1, output: 2 } } });
    cli.upstream.enqueue(
      { usage: { prompt_tokens: 1_000, completion_tokens: 100 } },
      { status: 503 },
      { usage: { prompt_tokens: 2_000, completion_tokens: 200 } },
      { usage: { prompt_tokens: 5, completion_tokens: 5 } },
    );
    expect((await cli.run(['run', 'one'])).code).toBe(0);
    expect((await cli.run(['run', 'two'])).code).toBe(0); // retried once: still one call
    const unpriced = await cli.run(['run', '--model', 'fake/other-model', 'three']);
    expect(unpriced.code).toBe(0);
    expect(unpriced.stderr).toBe(
      'llmkit: warning: no price known for fake/other-model: its cost is recorded as unknown (null), not $0; add it under "prices" in the config\n',
    );

    const table = await cli.run(['usage', '--group-by', 'model']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/fake-model\s+2\s+0\s+3000\s+300\s/);
    expect(table.stdout).toMatch(/other-model\s+1\s+0\s+5\s+5\s.*—?\s+1\s/);
    expect(table.stdout).toMatch(/TOTAL\s+3\s+0\s+3005\s+305\s+0\s+0\s+\$0\.0036\s+1\s+0/);

    const json = JSON.parse((await cli.run(['usage', '--period', '7d', '--json'])).stdout);
    expect(json).toMatchObject({ ok: true, totals: { calls: 3, costNanos: 3_600_000, unpricedCalls: 1 } });

    const csv = (await cli.run(['usage', '--csv', '--group-by', 'provider'])).stdout.trim().split('\n');
    expect(csv[0]).toBe(
      'provider,calls,errors,inputTokens,outputTokens,cachedInputTokens,reasoningTokens,costUsd,unpricedCalls,estimatedCalls,cacheHits',
    );
    expect(csv.at(-1)).toBe('TOTAL,3,0,3005,305,0,0,0.0036,1,0,0');
  });

  it.for([
    [['usage', '--group-by', 'colour'], /unknown grouping "colour"/],
    [['usage', '--since', '2026-11-02', '--until', '2026-11-01'], /--since .* is not before --until/],
    [['usage', '--since', 'yesterday-ish'], /--since "yesterday-ish" is not a date/],
    [['usage', '--period', '1y'], /unknown period "1y"/],
  ] as const)('bad input %j: one line, exit 2', async ([args, message], context) => {
    const cli = await testCli(context);
    expect(expectOneErrorLine(await cli.run([...args]), 2)).toMatch(message);
  });

  it('a corrupt ledger file is named in a clear error and left untouched', async (context) => {
    const cli = await testCli(context);
    const path = join(cli.dir, 'broken.db');
    const garbage = 'this is not a database, and it must not be replaced\n'.repeat(200);
    writeFileSync(path, garbage);
    cli.writeConfig({ ...cli.config(), ledger: { path } });
    expect(expectOneErrorLine(await cli.run(['usage']), 1)).toMatch(/broken\.db/);
    expect(readFileSync(path, 'utf8')).toBe(garbage);
    expect(expectOneErrorLine(await cli.run(['run', 'hi']), 1)).toMatch(/broken\.db/);
    expect(cli.upstream.requests).toHaveLength(0);
    expect(readFileSync(path, 'utf8')).toBe(garbage);
  });
});
