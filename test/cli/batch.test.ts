import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type CliFixture, expectOneErrorLine, testCli } from './cli-fixture.js';

function outputLines(cli: CliFixture, name = 'out.jsonl'): Array<Record<string, unknown>> {
  const path = join(cli.dir, name);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function jsonl(items: unknown[]): string {
  return `${items.map((item) => JSON.stringify(item)).join('\n')}\n`;
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}

describe.concurrent('llmkit batch', () => {
  it('runs a JSONL file: one OUTPUT line per item with text, usage, cost and attempts, and a summary', async (context) => {
    const cli = await testCli(context);
    const input = cli.writeFile(
      'in.jsonl',
      jsonl([
        { id: 'a', prompt: 'first' },
        { prompt: 'second', temperature: 0.2 },
        { id: 7, messages: [{ role: 'user', content: 'third' }], max_tokens: 50 },
      ]),
    );
    cli.upstream.enqueue({ status: 503 });
    const result = await cli.run(['batch', input, '-o', 'out.jsonl']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /^llmkit: batch done: 3 ok, 0 failed; \d+ tokens, \$0\.\d+; results in out\.jsonl$/m,
    );
    const lines = outputLines(cli);
    expect(lines.map((line) => line['id']).sort()).toEqual(['2', '7', 'a']);
    const byId = new Map(lines.map((line) => [line['id'], line]));
    expect(byId.get('a')).toMatchObject({
      ok: true,
      text: 'echo: first',
      usage: { totalTokens: expect.any(Number) },
    });
    expect(byId.get('a')!['cost']).toBeGreaterThan(0);
    expect(byId.get('7')).toMatchObject({ ok: true, text: 'echo: third' });
    expect(lines.some((line) => line['attempts'] === 2)).toBe(true);
    const second = cli.upstream.requests.find((request) => request.body.messages[0].content === 'second');
    expect(second!.body.temperature).toBe(0.2);
  });

  it('reads CSV with a prompt column and text files, one prompt per line; ids are line numbers', async (context) => {
    const cli = await testCli(context);
    const csv = cli.writeFile('in.csv', 'id,prompt\nx,"hello, ""world"""\n,plain\n');
    expect((await cli.run(['batch', csv, '-o', 'csv.jsonl'])).code).toBe(0);
    expect(
      outputLines(cli, 'csv.jsonl')
        .map((line) => [line['id'], line['text']])
        .sort(),
    ).toEqual([
      ['3', 'echo: plain'],
      ['x', 'echo: hello, "world"'],
    ]);
    const text = cli.writeFile('in.txt', 'one\n\nthree\n');
    expect(
      (
        await cli.run([
          'batch',
          text,
          '-o',
          'txt.jsonl',
          '--schema',
          cli.writeFile('s.json', '{"type":"object"}'),
        ])
      ).code,
    ).toBe(3);
    expect(
      outputLines(cli, 'txt.jsonl')
        .map((line) => line['id'])
        .sort(),
    ).toEqual(['1', '3']);
  });

  it('reports a bad line with its number and runs the rest; --strict stops before sending anything', async (context) => {
    const cli = await testCli(context);
    const input = cli.writeFile(
      'in.jsonl',
      `${JSON.stringify({ prompt: 'ok' })}\n{not json\n${JSON.stringify({ model: 'x' })}\n`,
    );
    const lenient = await cli.run(['batch', input, '-o', 'out.jsonl']);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/^llmkit: warning: INPUT line 2: .*not valid JSON.*\(skipped\)$/m);
    expect(lenient.stderr).toMatch(/^llmkit: warning: INPUT line 3: .*prompt.*\(skipped\)$/m);
    expect(outputLines(cli)).toHaveLength(1);
    const before = cli.upstream.requests.length;
    const strict = await cli.run(['batch', input, '-o', 'strict.jsonl', '--strict']);
    expect(expectOneErrorLine(strict, 2)).toMatch(/INPUT line 2: .*not valid JSON/);
    expect(cli.upstream.requests).toHaveLength(before);
  });

  it.for([
    [
      'duplicate ids',
      'in.jsonl',
      jsonl([
        { id: 'a', prompt: 'x' },
        { id: 'a', prompt: 'y' },
      ]),
      /id "a" appears on lines 1 and 2/,
    ],
    ['a CSV without a prompt column', 'in.csv', 'id,question\n1,hi\n', /no "prompt" column/],
  ] as const)('refuses %s with exit 2 before sending anything', async ([, name, text, message], context) => {
    const cli = await testCli(context);
    const result = await cli.run(['batch', cli.writeFile(name, text), '-o', 'out.jsonl']);
    expect(expectOneErrorLine(result, 2)).toMatch(message);
    expect(cli.upstream.requests).toHaveLength(0);
  });

  it('resumes: ids already in OUTPUT are skipped, a torn last line is repaired and rerun, a foreign OUTPUT is refused', async (context) => {
    const cli = await testCli(context);
    const input = cli.writeFile('in.txt', 'a\nb\nc\nd\n');
    cli.writeFile(
      'out.jsonl',
      `${JSON.stringify({ id: '1', ok: true, text: 'earlier' })}\n{"id":"2","ok":tr`,
    );
    const without = await cli.run(['batch', input, '-o', 'out.jsonl']);
    expect(expectOneErrorLine(without, 2)).toMatch(/already exists and holds results.*--resume/);
    const resumed = await cli.run(['batch', input, '-o', 'out.jsonl', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/removed a torn last line/);
    expect(resumed.stderr).toMatch(/3 ok, 0 failed, 1 already in OUTPUT/);
    expect(cli.upstream.requests.map((request) => request.body.messages[0].content).sort()).toEqual([
      'b',
      'c',
      'd',
    ]);
    const ids = outputLines(cli).map((line) => line['id']);
    expect(ids.sort()).toEqual(['1', '2', '3', '4']);

    const other = cli.writeFile('other.txt', 'x\n');
    const foreign = await cli.run(['batch', other, '-o', 'out.jsonl', '--resume']);
    expect(expectOneErrorLine(foreign, 2)).toMatch(/holds id "\d", which INPUT does not have/);
    expect((await cli.run(['batch', other, '-o', 'out.jsonl', '--resume', '--force'])).code).toBe(0);
  });

  it('survives SIGKILL at random moments: after resuming, every id is in OUTPUT exactly once and no finished item is sent again', async (context) => {
    const cli = await testCli(context);
    const count = 150;
    const input = cli.writeFile(
      'in.txt',
      Array.from({ length: count }, (_, index) => `item ${index}`).join('\n'),
    );
    cli.upstream.setDefault({ latencyMs: 15 });
    const args = ['batch', input, '-o', 'out.jsonl', '--concurrency', '8', '--resume'];
    for (let kill = 0; kill < 4; kill++) {
      const before = new Set(outputLines(cli).map((line) => String(line['id'])));
      const requestsBefore = cli.upstream.requests.length;
      const child = cli.start(args);
      await waitFor(() => cli.upstream.requests.length > requestsBefore + 5 + kill * 7);
      child.signal('SIGKILL');
      const ended = await child.done;
      expect(ended.signal).toBe('SIGKILL');
      // Nothing already journaled before this run was sent again.
      const resent = cli.upstream.requests
        .slice(requestsBefore)
        .map((request) => String(Number(String(request.body.messages[0].content).slice(5)) + 1));
      expect(resent.filter((id) => before.has(id))).toEqual([]);
    }
    const last = await cli.run(args);
    expect(last.code, last.stderr).toBe(0);
    const lines = readFileSync(join(cli.dir, 'out.jsonl'), 'utf8').split('\n').filter(Boolean);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const ids = lines.map((line) => (JSON.parse(line) as { id: string }).id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(Array.from({ length: count }, (_, index) => String(index + 1)).sort());
    // The ledger bills each upstream answer once; only items in flight at a kill can have been answered twice.
    const usage = await cli.run(['usage', '--json', '-g', 'status']);
    const okCalls =
      JSON.parse(usage.stdout).rows.find((row: { group: string }) => row.group === 'ok')?.calls ?? 0;
    expect(okCalls).toBeLessThanOrEqual(cli.upstream.requests.length);
    expect(okCalls).toBeLessThanOrEqual(count + 4 * 8);
  }, 60_000);

  it('prints plain progress lines off a terminal', async (context) => {
    const cli = await testCli(context);
    const input = cli.writeFile('in.txt', Array.from({ length: 24 }, (_, index) => `p${index}`).join('\n'));
    cli.upstream.setDefault({ latencyMs: 100 });
    const result = await cli.run([
      'batch',
      input,
      '-o',
      'out.jsonl',
      '--concurrency',
      '2',
      '--progress-interval',
      '1',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^llmkit: batch \d+\/24 \(\d+ ok, 0 failed\), \d+\/min, eta \d+s, \d+ tokens, \$0\.\d+$/m,
    );
  });

  it('first Ctrl-C lets in-flight items finish and prints the command that resumes', async (context) => {
    const cli = await testCli(context);
    const input = cli.writeFile('in.txt', Array.from({ length: 40 }, (_, index) => `p${index}`).join('\n'));
    cli.upstream.setDefault({ latencyMs: 100 });
    const child = cli.start(['batch', input, '-o', 'out.jsonl', '--concurrency', '4']);
    await waitFor(() => cli.upstream.requests.length >= 4);
    child.signal('SIGINT');
    const ended = await child.done;
    expect(ended.code).toBe(130);
    expect(ended.stderr).toMatch(/stopping: letting the items in flight finish/);
    expect(ended.stderr).toMatch(
      /^llmkit: to resume: llmkit batch .*in\.txt -o out\.jsonl --concurrency 4 --resume$/m,
    );
    const finished = outputLines(cli).length;
    expect(finished).toBeGreaterThanOrEqual(4);
    expect(finished).toBeLessThan(40);
    expect(cli.upstream.requests.length).toBe(finished);
    const resumed = await cli.run(['batch', input, '-o', 'out.jsonl', '--concurrency', '4', '--resume']);
    expect(resumed.code).toBe(0);
    expect(outputLines(cli)).toHaveLength(40);
  });

  it('a budget stop exits 4 with the rest not run; resuming under a raised budget finishes the batch', async (context) => {
    const cli = await testCli(context);
    const input = cli.writeFile(
      'in.txt',
      Array.from({ length: 20 }, (_, index) => `hello ${index}`).join('\n'),
    );
    const budget = (limitUsd: number) =>
      cli.writeConfig({
        ...cli.config(),
        budgets: [{ name: 'daily', scope: 'global', period: 'day', limitUsd }],
      });
    budget(0.0002);
    const stopped = await cli.run([
      'batch',
      input,
      '-o',
      'out.jsonl',
      '--concurrency',
      '1',
      '--max-tokens',
      '20',
    ]);
    expect(stopped.code).toBe(4);
    expect(stopped.stderr).toMatch(/\d+ not run \(budget\)/);
    const first = outputLines(cli).length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(20);
    budget(10);
    const resumed = await cli.run([
      'batch',
      input,
      '-o',
      'out.jsonl',
      '--concurrency',
      '1',
      '--max-tokens',
      '20',
      '--resume',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(outputLines(cli).map((line) => line['id'])).toHaveLength(20);
    expect(cli.upstream.requests).toHaveLength(20);
  });
});
