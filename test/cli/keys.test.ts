import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyStore } from '../../src/gateway/keys/key-store.js';
import { expectOneErrorLine, testCli } from './cli-fixture.js';

const keyPattern = /^llmk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/;

describe.concurrent('llmkit keys', () => {
  it('create prints the key alone, once; the gateway accepts it; list never shows it', async (context) => {
    const cli = await testCli(context);
    const created = await cli.run([
      'keys',
      'create',
      '--name',
      'team-a',
      '--budget',
      '10/day',
      '--rpm',
      '60',
      '--tpm',
      '90000',
      '--models',
      'fake/fake-model, openai/gpt-4o',
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^llmk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/);
    const key = created.stdout.trim();
    const note = created.stderr.split('\n').filter((line) => line !== '');
    expect(note).toEqual([
      'llmkit: note: this is the only time key "team-a" is shown; llmkit keeps only its hash, so store it now',
    ]);

    // The default file, under <home> = ./.llmkit, holds a key a gateway accepts with these limits.
    const store = KeyStore.open(join(cli.dir, '.llmkit', 'gateway.db'));
    context.onTestFinished(() => store.close());
    expect(await store.verify(key)).toMatchObject({
      name: 'team-a',
      rpm: 60,
      tpm: 90_000,
      budget: { limitUsd: 10, period: 'day' },
      models: ['fake/fake-model', 'openai/gpt-4o'],
    });

    const secret = key.slice(-43);
    const listed = await cli.run(['keys', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+RPM\s+TPM\s+BUDGET\s+MODELS\s+CREATED\s+REVOKED$/m);
    expect(listed.stdout).toMatch(
      /^[0-9a-f]{16}\s+team-a\s+60\s+90000\s+\$10\/day\s+fake\/fake-model,openai\/gpt-4o\s+\d{4}-\d\d-\d\dT\S+\s+—$/m,
    );
    expect(listed.stdout + listed.stderr).not.toContain(secret);
    const json = await cli.run(['keys', 'list', '--json']);
    expect(json.stdout).not.toContain(secret);
    const document = JSON.parse(json.stdout);
    expect(document.ok).toBe(true);
    expect(document.keys).toHaveLength(1);
    expect(Object.keys(document.keys[0]).sort()).toEqual([
      'budget',
      'createdAt',
      'id',
      'models',
      'name',
      'rpm',
      'tpm',
    ]);
  });

  it('create --json prints the key with its record', async (context) => {
    const cli = await testCli(context);
    const created = await cli.run(['keys', 'create', '--name', 'ci', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const document = JSON.parse(created.stdout);
    expect(document).toMatchObject({ ok: true, name: 'ci', id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(document.key).toMatch(keyPattern);
    expect(document.key).toContain(document.id);
    expect(created.stderr).toMatch(/^llmkit: note: this is the only time key "ci" is shown/);
  });

  it('revoke by name or id; the key is refused, list shows when; a second revoke is an error', async (context) => {
    const cli = await testCli(context);
    const first = (await cli.run(['keys', 'create', '--name', 'team-a'])).stdout.trim();
    const second = JSON.parse((await cli.run(['keys', 'create', '--name', 'team-b', '--json'])).stdout);
    const store = KeyStore.open(join(cli.dir, '.llmkit', 'gateway.db'));
    context.onTestFinished(() => store.close());
    expect(await store.verify(first)).toBeDefined();

    const byName = await cli.run(['keys', 'revoke', 'team-a']);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toMatch(/^revoked key team-a \([0-9a-f]{16}\)\n$/);
    expect(store.verify(first)).toBeUndefined();
    const byId = await cli.run(['keys', 'revoke', second.id, '--json']);
    expect(JSON.parse(byId.stdout).key).toMatchObject({ name: 'team-b', revokedAt: expect.any(String) });
    expect(store.verify(second.key)).toBeUndefined();

    const listed = await cli.run(['keys', 'list']);
    expect(listed.stdout).toMatch(/^[0-9a-f]{16}\s+team-a\s+.*\s+\d{4}-\d\d-\d\dT[\d:.]+Z$/m);

    const again = expectOneErrorLine(await cli.run(['keys', 'revoke', 'team-a']), 2);
    expect(again).toMatch(/^llmkit: UsageError: key "team-a" is already revoked \(since \d{4}-/);
    // The name is free again.
    expect((await cli.run(['keys', 'create', '--name', 'team-a'])).code).toBe(0);
  });

  it('a duplicate name is refused with the way out, and no second key exists', async (context) => {
    const cli = await testCli(context);
    expect((await cli.run(['keys', 'create', '--name', 'team-a'])).code).toBe(0);
    const line = expectOneErrorLine(await cli.run(['keys', 'create', '--name', 'team-a']), 2);
    expect(line).toBe(
      'llmkit: UsageError: a key named "team-a" already exists (choose another name, or revoke that key first: llmkit keys revoke team-a)',
    );
    expect(JSON.parse((await cli.run(['keys', 'list', '--json'])).stdout).keys).toHaveLength(1);
  });

  it('list and revoke on a fresh home create no file', async (context) => {
    const cli = await testCli(context);
    const listed = await cli.run(['keys', 'list']);
    expect(listed.stdout).toBe('no gateway keys (create one with `llmkit keys create --name <name>`)\n');
    expect(JSON.parse((await cli.run(['keys', 'list', '--json'])).stdout)).toEqual({ ok: true, keys: [] });
    const line = expectOneErrorLine(await cli.run(['keys', 'revoke', 'team-a']), 2);
    expect(line).toBe(
      'llmkit: UsageError: no gateway key has the name or id "team-a" (`llmkit keys list` shows every key with its name and id)',
    );
    expect(existsSync(join(cli.dir, '.llmkit', 'gateway.db'))).toBe(false);
  });

  it.for([
    [['--budget', '10'], 'budget "10" has no period (write it as USD/period, e.g. 10/day'],
    [['--budget', 'abc/day'], 'budget "abc/day": "abc" is not a number of USD >= 0'],
    [['--budget', '5/fortnight'], '"fortnight" is not a period'],
    [['--rpm', '-1'], '--rpm must be a whole number >= 1, got "-1"'],
    [['--tpm', 'lots'], '--tpm must be a whole number >= 1, got "lots"'],
    [['--models', ''], '--models is empty (give model ids separated by commas'],
    [['--models', 'a,,b'], '--models "a,,b" has an empty entry'],
    [['--name', 'has space'], 'UsageError: key name must be 1-64 letters, digits'],
  ] as const)('create %j: one line, exit 2, no key file', async ([flags, message], context) => {
    const cli = await testCli(context);
    const line = expectOneErrorLine(await cli.run(['keys', 'create', '--name', 'team-a', ...flags]), 2);
    expect(line).toContain(message);
    expect(existsSync(join(cli.dir, '.llmkit', 'gateway.db'))).toBe(false);
  });

  it.for([
    [['keys', 'create'], "required option '--name <name>' not specified"],
    [['keys', 'revoke'], "missing required argument 'name-or-id'"],
  ] as const)('%j: one line, exit 2', async ([args, message], context) => {
    const cli = await testCli(context);
    expect(expectOneErrorLine(await cli.run(args), 2)).toContain(message);
  });
});
