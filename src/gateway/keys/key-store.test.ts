import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LlmkitError } from '../../errors/index.js';
import { type GatewayKey, KeyStore, KeyStoreError, policyOf } from './key-store.js';

let dir: string;
let path: string;
const opened: KeyStore[] = [];

function open(): KeyStore {
  const store = KeyStore.open(path);
  opened.push(store);
  return store;
}

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmkit-keys-'));
  path = join(dir, 'nested', 'gateway.db');
});

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('KeyStore: create and verify', () => {
  it('creates a recognisable key, accepts it, and returns its limits', async () => {
    const store = open();
    const { key, record } = store.create({
      name: 'team-a',
      rpm: 60,
      tpm: 100_000,
      budget: { limitUsd: 10, period: 'day' },
      models: ['openai/gpt-4o', 'deepseek/deepseek-chat'],
    });
    expect(key).toMatch(/^llmk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(key).toContain(record.id);
    expect(record).toMatchObject({
      name: 'team-a',
      rpm: 60,
      tpm: 100_000,
      budget: { limitUsd: 10, period: 'day' },
    });
    expect(record.models).toEqual(['openai/gpt-4o', 'deepseek/deepseek-chat']);
    expect(record.revokedAt).toBeUndefined();
    expect(await store.verify(key)).toEqual(record);
    expect(store.count()).toBe(1);
  });

  it('answers a key it has verified before without a Promise', async () => {
    const store = open();
    const { key, record } = store.create({ name: 'fast' });
    await store.verify(key);
    const again = store.verify(key);
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toEqual(record);
  });

  it('a burst of requests with a new key shares one check', async () => {
    const store = open();
    const { key, record } = store.create({ name: 'burst' });
    const first = store.verify(key);
    expect(store.verify(key)).toBe(first);
    expect(await first).toEqual(record);
  });

  it('remembers at most cacheSize keys; a forgotten one is checked again and still accepted', async () => {
    const store = KeyStore.open(path, { cacheSize: 1 });
    opened.push(store);
    const first = store.create({ name: 'first' });
    const second = store.create({ name: 'second' });
    await store.verify(first.key);
    await store.verify(second.key);
    expect(store.verify(second.key)).not.toBeInstanceOf(Promise);
    const again = store.verify(first.key);
    expect(again).toBeInstanceOf(Promise);
    expect(await again).toEqual(first.record);
  });

  it('refuses a wrong secret for a real id, before and after the right key was cached', async () => {
    const store = open();
    const { key, record } = store.create({ name: 'team-a' });
    const other = store.create({ name: 'team-b' }).key;
    const wrong = `llmk_${record.id}_${other.slice(-43)}`;
    expect(await store.verify(wrong)).toBeUndefined();
    expect(await store.verify(key)).toBeDefined();
    expect(await store.verify(wrong)).toBeUndefined();
    expect(await store.verify(key)).toBeDefined();
  });

  it('a flood of guessed secrets for one id runs at most 4 scrypt checks at once; the rest are refused at once', async () => {
    const store = open();
    const { key, record } = store.create({ name: 'guarded' });
    const guesses = Array.from(
      { length: 10 },
      (_, index) => `llmk_${record.id}_${String(index).padStart(43, 'A')}`,
    );
    const answers = guesses.map((guess) => store.verify(guess));
    expect(answers.filter((answer) => answer instanceof Promise)).toHaveLength(4);
    expect(answers.slice(4)).toEqual(Array(6).fill(undefined));
    expect(await Promise.all(answers)).toEqual(Array(10).fill(undefined));
    // Once those checks ended, the real key is checked (and accepted) as usual.
    expect(await store.verify(key)).toEqual(record);
  });

  it('refuses malformed keys at once, without a Promise', () => {
    const store = open();
    const { key } = store.create({ name: 'team-a' });
    for (const presented of [
      '',
      'llmk_',
      key.slice(0, -1),
      `${key}x`,
      key.replace('llmk_', 'llmx_'),
      key.toUpperCase(),
      `Bearer ${key}`,
      ` ${key}`,
      'sk-proj-0123456789',
    ]) {
      expect(store.verify(presented), presented).toBeUndefined();
    }
  });

  it('refuses a well-formed key whose id does not exist, without a Promise', () => {
    const store = open();
    const { key } = store.create({ name: 'team-a' });
    const unknown = `llmk_0000000000000000_${key.slice(-43)}`;
    expect(store.verify(unknown)).toBeUndefined();
  });
});

describe('KeyStore: a leaked database row is not a credential', () => {
  it('refuses the stored hash and salt presented in every plausible form', async () => {
    const store = open();
    const { key, record } = store.create({ name: 'team-a' });
    const stored = new Database(path, { readonly: true })
      .prepare('select * from gateway_keys where id = ?')
      .get(record.id) as Record<string, unknown>;
    const hash = stored['hash'] as Buffer;
    const salt = stored['salt'] as Buffer;
    // Nothing in the row is the key or its secret.
    const secret = key.slice(-43);
    for (const value of Object.values(stored)) {
      const text = Buffer.isBuffer(value) ? value.toString('base64url') : String(value);
      expect(text).not.toContain(secret);
    }
    const forms = [hash, salt, Buffer.concat([salt, hash]), Buffer.concat([hash, salt])].flatMap((bytes) => [
      bytes.toString('hex'),
      bytes.toString('base64'),
      bytes.toString('base64url'),
    ]);
    const candidates = [
      ...forms,
      ...forms.map((form) => `llmk_${record.id}_${form}`),
      ...[hash, salt].map((bytes) => `llmk_${record.id}_${bytes.toString('base64url')}`),
      `llmk_${record.id}_${hash.toString('base64url')}`,
    ];
    for (const candidate of candidates) {
      expect(await store.verify(candidate), candidate).toBeUndefined();
    }
    // And once the real key is cached, still not.
    expect(await store.verify(key)).toBeDefined();
    for (const candidate of candidates) {
      expect(await store.verify(candidate), candidate).toBeUndefined();
    }
  });
});

describe('KeyStore: revocation', () => {
  it('refuses a revoked key at once, by name or by id', async () => {
    const store = open();
    const first = store.create({ name: 'by-name' });
    const second = store.create({ name: 'by-id' });
    await store.verify(first.key);
    await store.verify(second.key);
    expect(store.revoke('by-name')?.revokedAt).toBeDefined();
    expect(store.revoke(second.record.id)?.name).toBe('by-id');
    expect(store.verify(first.key)).toBeUndefined();
    expect(store.verify(second.key)).toBeUndefined();
    expect(store.count()).toBe(0);
  });

  it('a revoke by another store on the same file is seen by one that has the key cached', async () => {
    const gateway = open();
    const cli = open();
    const { key } = cli.create({ name: 'team-a' });
    expect(await gateway.verify(key)).toBeDefined();
    expect(gateway.verify(key)).toBeDefined();
    cli.revoke('team-a');
    expect(gateway.verify(key)).toBeUndefined();
  });

  it('a revoke while the first scrypt is running wins', async () => {
    const gateway = open();
    const cli = open();
    const { key } = cli.create({ name: 'team-a' });
    const checking = gateway.verify(key);
    expect(checking).toBeInstanceOf(Promise);
    cli.revoke('team-a');
    expect(await checking).toBeUndefined();
    expect(gateway.verify(key)).toBeUndefined();
  });

  it('returns undefined for an unknown or already revoked key, and frees the name', () => {
    const store = open();
    const { record } = store.create({ name: 'team-a' });
    expect(store.revoke('nobody')).toBeUndefined();
    expect(store.revoke('team-a')).toBeDefined();
    expect(store.revoke('team-a')).toBeUndefined();
    expect(store.revoke(record.id)).toBeUndefined();
    expect(store.create({ name: 'team-a' }).record.id).not.toBe(record.id);
  });
});

describe('KeyStore: list and names', () => {
  it('lists every key, revoked ones with their time, never a secret or a hash', () => {
    const store = open();
    const first = store.create({ name: 'team-a', budget: { limitUsd: 0.5, period: 'month' } });
    store.create({ name: 'team-b', models: ['fake/fake-model'] });
    store.revoke('team-a');
    const listed = store.list();
    expect(listed.map((key) => key.name)).toEqual(['team-a', 'team-b']);
    expect(listed[0]?.revokedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(listed[0]?.budget).toEqual({ limitUsd: 0.5, period: 'month' });
    expect(listed[1]?.models).toEqual(['fake/fake-model']);
    const text = JSON.stringify(listed);
    expect(text).not.toContain(first.key.slice(-43));
    expect(Object.keys(listed[0] as GatewayKey).sort()).toEqual([
      'budget',
      'createdAt',
      'id',
      'name',
      'revokedAt',
    ]);
  });

  it('refuses a second key in force with the same name, as a UsageError with a hint', () => {
    const store = open();
    store.create({ name: 'team-a' });
    expect(() => store.create({ name: 'team-a' })).toThrow(
      /a key named "team-a" already exists.*keys revoke team-a/,
    );
    const error = thrown(() => open().create({ name: 'team-a' }));
    expect(LlmkitError.isInstance(error) && error.code).toBe('usage');
    expect(LlmkitError.isInstance(error) && error.exitCode).toBe(2);
    expect(store.count()).toBe(1);
  });

  it.each([
    [{ name: '' }, /key name must be 1-64 letters/],
    [{ name: 'has space' }, /key name must be/],
    [{ name: '0123456789abcdef' }, /key name must not look like a key id/],
    [{ name: 'a', rpm: 0 }, /key rpm must be a whole number > 0/],
    [{ name: 'a', tpm: 1.5 }, /key tpm must be a whole number > 0/],
    [
      { name: 'a', budget: { limitUsd: -1, period: 'day' } },
      /key budget.limitUsd must be a number of USD >= 0/,
    ],
    [{ name: 'a', models: [] }, /key models must name at least one model/],
    [{ name: 'a', models: ['a b'] }, /key models.0 must be a model id without spaces/],
    [{ name: 'a', owner: 'x' }, /new key: Unrecognized key/],
  ])('refuses bad fields: %o', (input, message) => {
    const store = open();
    expect(() => store.create(input as never)).toThrow(message);
    expect(store.list()).toEqual([]);
  });
});

describe('KeyStore: the file', () => {
  it('creates its folder and a file only its owner may read', () => {
    open();
    expect(statSync(path).mode & 0o077).toBe(0);
  });

  it('a file that is not a database is a KeyStoreError naming it', () => {
    path = join(dir, 'not-a-db');
    writeFileSync(path, 'hello, this is not sqlite at all, just text padded out a little more');
    expect(() => KeyStore.open(path)).toThrow(KeyStoreError);
    expect(() => KeyStore.open(path)).toThrow(`gateway key file ${path} is not a valid SQLite database`);
  });

  it('a file of a newer llmkit is refused', () => {
    open().close();
    const db = new Database(path);
    db.prepare("update gateway_keys_meta set value = '99' where key = 'schema_version'").run();
    db.close();
    expect(() => KeyStore.open(path)).toThrow(
      /schema version 99, which this llmkit \(version 1\) cannot use/,
    );
  });
});

describe('policyOf', () => {
  it("maps a key to the pipeline's key policy", () => {
    const store = open();
    const { record } = store.create({
      name: 'team-a',
      rpm: 5,
      budget: { limitUsd: 1, period: 'hour' },
      models: ['m'],
    });
    expect(policyOf(record)).toEqual({
      name: 'team-a',
      rpm: 5,
      tpm: undefined,
      budget: { limitUsd: 1, period: 'hour' },
    });
  });
});
