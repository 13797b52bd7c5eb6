import { describe, expect, it } from 'vitest';
import { type CliFixture, testCli } from './cli-fixture.js';

const messagesOf = (cli: CliFixture, index: number) => cli.upstream.requests[index]?.body.messages;

describe.concurrent('llmkit chat', () => {
  it('answers each line and sends the conversation so far on the next turn', async (context) => {
    const cli = await testCli(context);
    cli.upstream.enqueue({ text: 'Paris.' }, { text: 'About 2.1 million.' });
    const result = await cli.run(['chat'], {
      input: 'Capital of France?\nHow many people live there?\n/exit\n',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Paris.\n');
    expect(result.stdout).toContain('About 2.1 million.\n');
    expect(cli.upstream.requests).toHaveLength(2);
    expect(cli.upstream.requests[0]?.body).toMatchObject({ stream: true });
    expect(messagesOf(cli, 0)).toEqual([{ role: 'user', content: 'Capital of France?' }]);
    expect(messagesOf(cli, 1)).toEqual([
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris.' },
      { role: 'user', content: 'How many people live there?' },
    ]);
  });

  it('--system leads every turn and /reset forgets the conversation but not the system message', async (context) => {
    const cli = await testCli(context);
    const result = await cli.run(['chat', '--system', 'Be brief.'], {
      input: 'first\n/reset\nsecond\n/exit\n',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('(conversation cleared)');
    expect(messagesOf(cli, 1)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'second' },
    ]);
  });

  it('SIGINT cancels the answer being streamed, and the session answers the next line', async (context) => {
    const cli = await testCli(context);
    const words = Array.from({ length: 200 }, (_, index) => `word${index} `);
    cli.upstream.enqueue({ chunks: words, interTokenDelayMs: 20 }, { text: 'Still here.' });
    const chat = cli.start(['chat']);
    chat.write('Write a very long story\n');
    await chat.waitForStdout('word1 ');
    chat.signal('SIGINT');
    await chat.waitForStdout('(answer cancelled)');
    chat.write('Are you there?\n');
    await chat.waitForStdout('Still here.');
    chat.write('/exit\n');
    const result = await chat.done;

    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('word199');
    // The cancelled turn is dropped, so the next request carries only the new question.
    expect(messagesOf(cli, 1)).toEqual([{ role: 'user', content: 'Are you there?' }]);
  });

  it('ends with 0 when stdin closes (Ctrl-D) without /exit', async (context) => {
    const cli = await testCli(context);
    const result = await cli.run(['chat'], { input: 'hello\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('echo: hello\n');
  });

  it('a refused turn is reported in one line and the session goes on', async (context) => {
    const cli = await testCli(context);
    cli.upstream.enqueue({ status: 401 }, { text: 'Recovered.' });
    const result = await cli.run(['chat'], { input: 'first\nsecond\n/exit\n' });
    expect(result.code).toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^llmkit: AuthenticationError: .*llmkit config check/),
    ]);
    expect(result.stdout).toContain('Recovered.');
    expect(messagesOf(cli, 1)).toEqual([{ role: 'user', content: 'second' }]);
  });
});
