import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliFixture, cliFixture, expectOneErrorLine } from './cli-fixture.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

let cli: CliFixture;
beforeAll(async () => {
  cli = await cliFixture();
});
afterAll(() => cli.close());

describe.concurrent('llmkit --help and --version', () => {
  it('--help lists every command and exits 0', async () => {
    const result = await cli.run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: llmkit \[options\] \[command\]/);
    for (const command of ['run', 'chat', 'config', 'doctor', 'demo'])
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('run --help lists the flags of run', async () => {
    const result = await cli.run(['run', '--help']);
    expect(result.code).toBe(0);
    for (const flag of [
      '--model',
      '--system',
      '--temperature',
      '--max-tokens',
      '--file',
      '--json',
      '--no-stream',
    ])
      expect(result.stdout).toContain(flag);
  });

  it('--version prints the version of the package', async () => {
    const result = await cli.run(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });

  it('an unknown command is a usage error, exit 2', async () => {
    const line = expectOneErrorLine(await cli.run(['frobnicate']), 2);
    expect(line).toContain("unknown command 'frobnicate'");
  });
});
