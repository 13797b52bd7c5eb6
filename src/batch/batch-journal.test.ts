import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../errors/index.js';
import { compactJournal, JournalError, openJournal } from './batch-journal.js';

let directory: string;
let path: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'llmkit-journal-'));
  path = join(directory, 'out.jsonl');
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const line = (id: string, ok = true) => `${JSON.stringify({ id, ok })}\n`;

describe('openJournal', () => {
  it('creates missing parent folders and an empty journal', () => {
    const nested = join(directory, 'a', 'b', 'out.jsonl');
    const journal = openJournal(nested);
    expect(journal).toMatchObject({ path: nested, lines: 0 });
    expect(journal.ids.size).toBe(0);
    expect(journal.repaired).toBeUndefined();
    journal.close();
    expect(existsSync(nested)).toBe(true);
  });

  it('round-trips appends through close and reopen, tracking failed ids', () => {
    const journal = openJournal(path);
    journal.append({ id: 'a', ok: true, text: 'line one\nline two' });
    journal.append({ id: 'b', ok: false, error: { code: 'rate_limit' } });
    expect(journal.lines).toBe(2);
    expect([...journal.ids]).toEqual(['a', 'b']);
    journal.close();
    journal.close(); // idempotent
    expect(() => journal.append({ id: 'c', ok: true })).toThrow(JournalError);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);

    const reopened = openJournal(path);
    expect([...reopened.ids]).toEqual(['a', 'b']);
    expect([...reopened.failedIds]).toEqual(['b']);
    expect(reopened.lines).toBe(2);
    reopened.append({ id: 'c', ok: true });
    reopened.close();
    expect(readFileSync(path, 'utf8')).toBe(
      '{"id":"a","ok":true,"text":"line one\\nline two"}\n' +
        '{"id":"b","ok":false,"error":{"code":"rate_limit"}}\n' +
        line('c'),
    );
  });

  it('refuses to append an id twice, which would make the journal unreadable', () => {
    const journal = openJournal(path);
    journal.append({ id: 'a', ok: false });
    expect(() => journal.append({ id: 'a', ok: true })).toThrow(/OUTPUT already has id "a"/);
    journal.close();
    expect(openJournal(path).lines).toBe(1);
  });

  it('cuts off a torn last line and says how many bytes and why', () => {
    const torn = '{"id":"c","ok":tr';
    writeFileSync(path, line('a') + line('b') + torn);
    const journal = openJournal(path);
    expect(journal.repaired).toEqual({ bytes: torn.length, reason: expect.stringContaining('cut short') });
    expect([...journal.ids]).toEqual(['a', 'b']);
    journal.append({ id: 'c', ok: true });
    journal.close();
    expect(readFileSync(path, 'utf8')).toBe(line('a') + line('b') + line('c'));
    expect(openJournal(path).repaired).toBeUndefined();
  });

  it('cuts a complete record that lacks its newline, a torn multi-byte character, and crash zeros', () => {
    writeFileSync(path, line('a') + '{"id":"b","ok":true}');
    expect(openJournal(path)).toMatchObject({ lines: 1, repaired: { bytes: 20 } });
    expect(readFileSync(path, 'utf8')).toBe(line('a'));

    const bytes = Buffer.from('{"id":"é');
    writeFileSync(path, Buffer.concat([Buffer.from(line('a')), bytes.subarray(0, bytes.length - 1)]));
    expect(openJournal(path).repaired?.bytes).toBe(bytes.length - 1);

    writeFileSync(path, Buffer.concat([Buffer.from(line('a')), Buffer.alloc(64)]));
    expect(openJournal(path).repaired).toEqual({ bytes: 64, reason: expect.stringContaining('zero') });
    expect(statSync(path).size).toBe(line('a').length);
  });

  it('refuses a bad line that is not the last, naming it, and leaves the file alone', () => {
    const content = line('a') + 'garbage\n' + line('c');
    writeFileSync(path, content);
    expect(() => openJournal(path)).toThrow(JournalError);
    expect(() => openJournal(path)).toThrow(
      'OUTPUT line 2 is not a journal line (not valid JSON); it is not an llmkit batch output, or it was edited (choose another -o, or fix the line)',
    );
    expect(readFileSync(path, 'utf8')).toBe(content);
    writeFileSync(path, line('a') + '{"id": 3, "ok": true}\n' + line('c'));
    expect(() => openJournal(path)).toThrow(/line 2 is not a journal line \(no string "id"\)/);
  });

  it('does not cut a last line that no crash could have written, such as a foreign file', () => {
    for (const content of ['hello\n', '# notes', '{"name": "package"}\n', line('a') + '{"id":"b"}']) {
      writeFileSync(path, content);
      expect(() => openJournal(path)).toThrow(JournalError);
      expect(readFileSync(path, 'utf8')).toBe(content);
    }
  });

  it('refuses an id written twice', () => {
    writeFileSync(path, line('x') + line('y') + line('x', false));
    const error = (() => {
      try {
        openJournal(path);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as JournalError).detail).toBe('OUTPUT has id "x" twice (lines 1 and 3)');
    expect((error as JournalError).exitCode).toBe(2);
  });

  it('survives a writer killed with SIGKILL mid-loop: at most the last line is repaired', async () => {
    // Big lines, so a write is more likely to be caught in flight; the script imports nothing from llmkit.
    const script = `
      import { openSync, writeSync } from 'node:fs';
      const fd = openSync(process.argv[1], 'a');
      const pad = 'x'.repeat(64 * 1024);
      process.stdout.write('ready\\n');
      for (let index = 0; ; index++) writeSync(fd, JSON.stringify({ id: String(index), ok: true, pad }) + '\\n');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.stdout.once('data', () => resolve());
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    expect(await exited).toBeNull(); // killed by the signal, not exited

    const journal = openJournal(path);
    journal.close();
    expect(journal.lines).toBeGreaterThan(0);
    expect([...journal.ids]).toEqual(Array.from({ length: journal.lines }, (_, index) => String(index)));
    if (journal.repaired) expect(journal.repaired.bytes).toBeLessThan(64 * 1024 + 40);
    const reopened = openJournal(path);
    reopened.close();
    expect(reopened.repaired).toBeUndefined();
    expect(reopened.lines).toBe(journal.lines);
  });
});

describe('compactJournal', () => {
  it('keeps only the matching records, byte for byte, and drops a torn last line', () => {
    const kept = `{"id":"a","ok":true,"text":"é"}\n`;
    writeFileSync(path, kept + line('b', false) + line('c') + '{"id":"d"');
    compactJournal(path, (record) => record.ok);
    expect(readFileSync(path, 'utf8')).toBe(kept + line('c'));
    expect(existsSync(`${path}.tmp`)).toBe(false);
    const journal = openJournal(path);
    expect([...journal.ids]).toEqual(['a', 'c']);
    expect(journal.failedIds.size).toBe(0);
    journal.close();
  });

  it('refuses a journal with a bad middle line and leaves it untouched', () => {
    const content = line('a') + 'oops\n' + line('b');
    writeFileSync(path, content);
    expect(() => compactJournal(path, () => true)).toThrow(JournalError);
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it('does nothing when the journal does not exist', () => {
    compactJournal(path, () => true);
    expect(existsSync(path)).toBe(false);
  });
});
