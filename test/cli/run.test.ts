import { describe, expect, it } from 'vitest';
import { logLines, testCli } from './cli-fixture.js';

describe.concurrent('llmkit run', () => {
  it('streams the answer to stdout and asks the upstream for a stream with usage', async (context) => {
    const cli = await testCli(context);
    cli.upstream.enqueue({ chunks: ['Qubits ', 'hold ', 'superpositions.'] });
    const result = await cli.run(['run', 'Explain quantum computing']);
    expect(result).toMatchObject({ code: 0, stdout: 'Qubits hold superpositions.\n', stderr: '' });
    expect(cli.upstream.requests).toHaveLength(1);
    const [request] = cli.upstream.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers['authorization']).toBe(`Bearer ${cli.apiKey}`);
    expect(request?.body).toMatchObject({
      model: 'fake-model',
      messages: [{ role: 'user', content: 'Explain quantum computing' }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('--no-stream sends one non-streaming request and prints the whole answer', async (context) => {
    const cli = await testCli(context);
    cli.upstream.enqueue({ text: 'All at once.' });
    const result = await cli.run(['run', '--no-stream', 'hello']);
    expect(result).toMatchObject({ code: 0, stdout: 'All at once.\n', stderr: '' });
    expect(cli.upstream.requests).toHaveLength(1);
    expect(cli.upstream.requests[0]?.body.stream).toBeUndefined();
    expect(cli.upstream.requests[0]?.body.stream_options).toBeUndefined();
  });

  it('--json prints one JSON object with text, usage, attempts, model, provider and requestId', async (context) => {
    const cli = await testCli(context);
    cli.upstream.enqueue({ text: 'JSON answer', usage: { prompt_tokens: 7, completion_tokens: 3 } });
    const result = await cli.run(['run', '--json', 'hello']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const output = JSON.parse(lines[0] ?? '');
    expect(output).toMatchObject({
      ok: true,
      text: 'JSON answer',
      usage: { inputTokens: 7, outputTokens: 3, totalTokens: 10 },
      attempts: 1,
      model: 'fake/fake-model',
      provider: 'fake',
      finishReason: 'stop',
    });
    expect(output.requestId).toMatch(/^llm_/);
    expect(output.upstreamRequestId).toMatch(/^req_/);
  });

  it('--model, --system, --temperature and --max-tokens reach the request body', async (context) => {
    const cli = await testCli(context);
    const result = await cli.run([
      'run',
      '--model',
      'fake/other-model',
      '--system',
      'Answer in one word.',
      '--temperature',
      '0.3',
      '--max-tokens',
      '42',
      'Capital of France?',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(cli.upstream.requests[0]?.body).toMatchObject({
      model: 'other-model',
      messages: [
        { role: 'system', content: 'Answer in one word.' },
        { role: 'user', content: 'Capital of France?' },
      ],
      temperature: 0.3,
      max_tokens: 42,
    });
  });

  it('`-` reads the prompt from stdin', async (context) => {
    const cli = await testCli(context);
    const result = await cli.run(['run', '-'], { input: 'prompt from stdin' });
    expect(result).toMatchObject({ code: 0, stdout: 'echo: prompt from stdin\n' });
    expect(cli.upstream.requests[0]?.body.messages).toEqual([{ role: 'user', content: 'prompt from stdin' }]);
  });

  it('reads piped stdin when no prompt argument is given', async (context) => {
    const cli = await testCli(context);
    const result = await cli.run(['run', '--no-stream'], { input: 'line one\nline two\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(cli.upstream.requests[0]?.body.messages).toEqual([
      { role: 'user', content: 'line one\nline two\n' },
    ]);
  });

  it('--file reads the prompt from a file', async (context) => {
    const cli = await testCli(context);
    const path = cli.writeFile('prompt.txt', 'Summarize this file.');
    const result = await cli.run(['run', '--file', path]);
    expect(result).toMatchObject({ code: 0, stdout: 'echo: Summarize this file.\n' });
    expect(cli.upstream.requests[0]?.body.messages).toEqual([
      { role: 'user', content: 'Summarize this file.' },
    ]);
  });

  it('SIGINT while the answer streams stops the call with exit code 130', async (context) => {
    const cli = await testCli(context);
    const words = Array.from({ length: 200 }, (_, index) => `word${index} `);
    cli.upstream.enqueue({ chunks: words, interTokenDelayMs: 20 });
    const running = cli.start(['run', 'Write a long essay']);
    await running.waitForStdout('word1 ');
    running.signal('SIGINT');
    const result = await running.done;
    expect(result.code).toBe(130);
    expect(result.stdout).not.toContain('word199');
    expect(result.stderr).toMatch(/^llmkit: AbortedError: /);
  });
});

describe.concurrent('retries, end to end', () => {
  it('a 429 with retry-after-ms, then success: exit 0 after two upstream requests', async (context) => {
    const cli = await testCli(context);
    cli.upstream.enqueue({ status: 429, headers: { 'retry-after-ms': '5' } }, { text: 'second time lucky' });
    const result = await cli.run(['run', 'hello']);
    expect(result).toMatchObject({ code: 0, stdout: 'second time lucky\n', stderr: '' });
    expect(cli.upstream.requests).toHaveLength(2);
    expect(cli.upstream.requests[1]?.body).toEqual(cli.upstream.requests[0]?.body);
  });

  it('--verbose prints one attempt line per attempt on stderr, stdout keeps only the answer', async (context) => {
    const cli = await testCli(context);
    cli.upstream.enqueue({ status: 429, headers: { 'retry-after-ms': '5' } }, { text: 'retried answer' });
    const result = await cli.run(['--verbose', 'run', 'hello']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('retried answer\n');
    const attempts = logLines(result.stderr).filter((line) => line['event'] === 'attempt');
    expect(attempts.map((line) => [line['attempt'], line['status']])).toEqual([
      [1, 'error'],
      [2, 'ok'],
    ]);
    expect(attempts[0]).toMatchObject({ httpStatus: 429, retryInMs: 5, error: { code: 'rate_limit' } });
  });
});
