import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/providers/types.js';
import { countTextTokens } from '../../src/tokens/count-text-tokens.js';
import { expectOneErrorLine } from './cli-fixture.js';
import { type CliResult, runCli } from './run-cli.js';

// `llmkit tokens` never talks to a provider, so it needs no fake upstream: a bare directory,
// its own HOME and nothing else from the developer's environment.
const root = realpathSync(mkdtempSync(join(tmpdir(), 'llmkit-tokens-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let directories = 0;
/** A fresh working directory holding the given files. */
function workspace(files: Record<string, string> = {}): string {
  const dir = join(root, `case-${++directories}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function tokens(args: readonly string[], dir: string, input?: string): Promise<CliResult> {
  const env = { PATH: process.env['PATH'] ?? '', HOME: dir, NO_COLOR: '1' };
  return runCli(['tokens', ...args], { cwd: dir, env, ...(input === undefined ? {} : { input }) });
}

const prose = 'Tokens are what you pay for. 词元是计费的单位。 🚀\nconst total = price * 1.2;\n';

// openai-cookbook "How to count tokens with tiktoken": the API reports 124 prompt tokens on gpt-4o.
const cookbookConversation: ChatMessage[] = [
  {
    role: 'system',
    content:
      'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.',
  },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  {
    role: 'system',
    name: 'example_assistant',
    content: 'Things working well together will increase revenue.',
  },
  {
    role: 'system',
    name: 'example_user',
    content:
      "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: "Let's talk later when we're less busy about how to do better.",
  },
  {
    role: 'user',
    content: "This late pivot means we don't have time to boil the ocean for the client deliverable.",
  },
];

describe.concurrent('llmkit tokens', () => {
  it('counts a file, exactly for an OpenAI model', async () => {
    const dir = workspace({ 'notes.txt': prose });
    const result = await tokens(['notes.txt', '--model', 'gpt-4o'], dir);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`${countTextTokens(prose, 'o200k_base')} tokens (o200k_base, exact)\n`);
  });

  it('counts piped stdin and `-`, as an estimate for a non-OpenAI model', async () => {
    const dir = workspace();
    const expected = `${countTextTokens(prose, 'o200k_base')} tokens (o200k_base, estimate)\n`;
    const piped = await tokens(['--model', 'deepseek/deepseek-chat'], dir, prose);
    expect(piped).toMatchObject({ code: 0, stdout: expected, stderr: '' });
    const dash = await tokens(['-', '--model', 'deepseek/deepseek-chat'], dir, prose);
    expect(dash).toMatchObject({ code: 0, stdout: expected, stderr: '' });
  });

  it('counts --text with the vocabulary of the model', async () => {
    const result = await tokens(['--text', prose, '--model', 'openai/gpt-4'], workspace());
    expect(result.stdout).toBe(`${countTextTokens(prose, 'cl100k_base')} tokens (cl100k_base, exact)\n`);
  });

  it('counts a .json messages file as a chat, with the chat overhead', async () => {
    const dir = workspace({
      'chat.json': JSON.stringify(cookbookConversation),
      'request.json': JSON.stringify({
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      }),
    });
    const chat = await tokens(['chat.json', '--model', 'gpt-4o'], dir);
    expect(chat).toMatchObject({ code: 0, stdout: '124 tokens (o200k_base, exact)\n', stderr: '' });
    const withTools = await tokens(['request.json', '--model', 'gpt-4o'], dir);
    expect(withTools).toMatchObject({ code: 0, stderr: '' });
    expect(withTools.stdout).toMatch(/^\d+ tokens \(o200k_base, estimate\)\n$/);
  });

  it('counts a .json file that is not a chat as text', async () => {
    const document = JSON.stringify({ name: 'llmkit', keywords: ['tokens'] });
    const result = await tokens(
      ['package.json', '--model', 'gpt-4o'],
      workspace({ 'package.json': document }),
    );
    expect(result.stdout).toBe(`${countTextTokens(document, 'o200k_base')} tokens (o200k_base, exact)\n`);
  });

  it('--json prints the count, the encoding and the resolved model', async () => {
    const result = await tokens(['--text', 'hello world', '--json'], workspace());
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      tokens: 2,
      exact: true,
      encoding: 'o200k_base',
      model: 'openai/gpt-4o',
    });
  });

  it("uses the config's defaultModel, aliases included", async () => {
    const config = { defaultModel: 'legacy', aliases: { legacy: 'openai/gpt-3.5-turbo' } };
    const dir = workspace({ 'llmkit.config.json': JSON.stringify(config) });
    const result = await tokens(['--text', 'hello world', '--json'], dir);
    expect(JSON.parse(result.stdout)).toMatchObject({
      encoding: 'cl100k_base',
      model: 'openai/gpt-3.5-turbo',
    });
  });

  it('a missing file: exit 2 and one line naming it', async () => {
    const line = expectOneErrorLine(await tokens(['no-such-file.txt'], workspace()), 2);
    expect(line).toContain('no-such-file.txt');
    expect(line).toContain('no such file');
  });

  it('a malformed chat file: exit 2 and one line naming the bad field', async () => {
    const dir = workspace({
      'chat.json': JSON.stringify([{ role: 'user', content: 'hi' }, { role: 'robot' }]),
    });
    const line = expectOneErrorLine(await tokens(['chat.json'], dir), 2);
    expect(line).toContain('chat.json: messages[1].role');
  });

  it('nothing to count: exit 2 instead of a silent 0', async () => {
    const line = expectOneErrorLine(await tokens([], workspace(), ''), 2);
    expect(line).toContain('nothing to count');
  });
});
