import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { type LlmkitErrorFields, UsageError } from '../errors/index.js';

/** One finished item in the OUTPUT journal; the runner adds its own fields (value, error...). */
export type JournalRecord = { id: string; ok: boolean } & Record<string, unknown>;

export interface JournalState {
  path: string;
  /** Every id with a line in the journal, failed ones included. */
  ids: Set<string>;
  /** Ids whose line says `ok: false`, the ones `--retry-failed` runs again. */
  failedIds: Set<string>;
  /** Journal lines (records) in the file. */
  lines: number;
  /** Set when opening cut a torn last line off: how many bytes, and why. */
  repaired?: { bytes: number; reason: string };
}

export interface Journal extends JournalState {
  /** Writes one record as one line. Throws if its id is already in the journal. */
  append(record: JournalRecord): void;
  /** Flushes to disk (fsync) and closes; later appends throw. */
  close(): void;
}

/** OUTPUT exists but is not a journal llmkit can resume from. Nothing was changed. */
export class JournalError extends UsageError {
  readonly path: string;
  constructor(path: string, detail: string, fields: LlmkitErrorFields & { hint?: string } = {}) {
    super(detail, { hint: 'choose another -o, or fix the line', ...fields });
    this.path = path;
  }
}

interface ReadJournal {
  records: Array<{ record: JournalRecord; text: Buffer }>;
  /** Bytes of the file that hold complete journal lines; anything after is torn. */
  validBytes: number;
  repaired?: { bytes: number; reason: string };
}

const newline = 0x0a;

/**
 * Reads the journal as bytes, so the cut for a torn line lands on a byte offset even when a
 * multi-byte character was split. Only the last line may be bad: each line is written by one
 * `write` call, so a crash can tear the end of the file but never its middle.
 */
function readJournal(path: string): ReadJournal {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { records: [], validBytes: 0 };
    throw new JournalError(path, `cannot read OUTPUT ${path}: ${code ?? (error as Error).message}`, {
      hint: 'check the path and its permissions, or choose another -o',
      cause: error,
    });
  }
  const records: ReadJournal['records'] = [];
  const lineById = new Map<string, number>();
  let start = 0;
  let lineNumber = 0;
  while (start < content.length) {
    lineNumber++;
    const end = content.indexOf(newline, start);
    const terminated = end !== -1;
    const text = content.subarray(start, terminated ? end : content.length);
    const parsed = parseLine(text);
    const isLast = !terminated || end + 1 === content.length;
    if (isLast && (!terminated || typeof parsed === 'string')) {
      const reason = tornReason(text, parsed, terminated);
      if (reason !== undefined) {
        return { records, validBytes: start, repaired: { bytes: content.length - start, reason } };
      }
    }
    if (typeof parsed === 'string') {
      throw new JournalError(
        path,
        `OUTPUT line ${lineNumber} is not a journal line (${parsed}); it is not an llmkit batch output, or it was edited`,
      );
    }
    if (parsed !== undefined) {
      const first = lineById.get(parsed.id);
      if (first !== undefined) {
        throw new JournalError(
          path,
          `OUTPUT has id ${JSON.stringify(parsed.id)} twice (lines ${first} and ${lineNumber})`,
          {
            hint: 'it was edited, or written by two runs at once; delete one of the lines, or choose another -o',
          },
        );
      }
      lineById.set(parsed.id, lineNumber);
      records.push({ record: parsed, text });
    }
    start = terminated ? end + 1 : content.length;
  }
  return { records, validBytes: content.length };
}

/** The record on a line, `undefined` for a blank line, or why it is not a journal line. */
function parseLine(text: Buffer): JournalRecord | undefined | string {
  const source = text.toString('utf8');
  if (source.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    return 'not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  if (typeof record['id'] !== 'string') return 'no string "id"';
  if (typeof record['ok'] !== 'boolean') return 'no boolean "ok"';
  return record as JournalRecord;
}

/**
 * Why the last line counts as torn, or `undefined` when it is foreign text that must not be
 * cut. A torn write is a prefix of `{...}\n` (or the zeros a filesystem leaves after a power
 * loss), so a last line like `hello` means OUTPUT is someone's file, not a crashed journal.
 */
function tornReason(
  text: Buffer,
  parsed: JournalRecord | undefined | string,
  terminated: boolean,
): string | undefined {
  if (text.length > 0 && text.every((byte) => byte === 0))
    return 'the last line was zero bytes left by a crash';
  if (parsed === undefined) return terminated ? undefined : 'the file ended in blank space';
  if (typeof parsed !== 'string')
    return terminated ? undefined : 'the last line had no newline (a crash mid-write)';
  if (text[0] !== 0x7b /* { */ || parsed !== 'not valid JSON') return undefined;
  return 'the last line was cut short (a crash mid-write)';
}

/**
 * Opens (or creates) the OUTPUT journal of a batch run: one JSON line per finished item. An
 * existing journal is checked, and a line torn by a crash is cut off so the run can resume;
 * anything else wrong throws `JournalError` before the file is touched.
 */
export function openJournal(path: string): Journal {
  mkdirSync(dirname(path), { recursive: true });
  const { records, validBytes, repaired } = readJournal(path);
  // 'a' makes every write land at the end, whatever position the descriptor holds.
  let fd: number | undefined = openSync(path, 'a');
  if (repaired) {
    ftruncateSync(fd, validBytes);
    fsyncSync(fd);
  }
  const ids = new Set<string>();
  const failedIds = new Set<string>();
  for (const { record } of records) {
    ids.add(record.id);
    if (!record.ok) failedIds.add(record.id);
  }
  const journal: Journal = {
    path,
    ids,
    failedIds,
    lines: records.length,
    append(record) {
      if (fd === undefined) throw new JournalError(path, `OUTPUT ${path} was closed before this append`);
      // A second line for an id would make the journal refuse to open on the next resume.
      if (ids.has(record.id)) {
        throw new JournalError(path, `OUTPUT already has id ${JSON.stringify(record.id)}`, {
          hint: 'every INPUT id must be unique; checkDuplicateIds finds the clashes',
        });
      }
      writeAll(fd, Buffer.from(`${JSON.stringify(record)}\n`, 'utf8'));
      ids.add(record.id);
      if (!record.ok) failedIds.add(record.id);
      journal.lines++;
    },
    close() {
      if (fd === undefined) return;
      const open = fd;
      fd = undefined;
      try {
        fsyncSync(open);
      } finally {
        closeSync(open);
      }
    },
  };
  if (repaired) journal.repaired = repaired;
  return journal;
}

/**
 * One `write` for the whole line: a kill -9 then loses the line or keeps it, and only a disk
 * error can make the kernel accept part of it (then the rest follows, still at the end).
 * No fsync per line: once `write` returns the data survives the process, only not a power cut.
 */
function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Rewrites the journal keeping only the records `keep` accepts (`--retry-failed` drops the
 * failed ones). Atomic: written beside it, fsynced, then renamed over it, so a crash leaves the
 * old journal or the new one, never a mix. Call it with no journal open on `path`.
 */
export function compactJournal(path: string, keep: (record: JournalRecord) => boolean): void {
  if (!existsSync(path)) return;
  const { records } = readJournal(path);
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    for (const { record, text } of records) {
      if (keep(record)) writeAll(fd, Buffer.concat([text, Buffer.from('\n')]));
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  syncDirectory(dirname(path));
}

/** Makes the rename itself durable. Best effort: Windows cannot open a directory. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported here; the rename is still atomic, only its durability is up to the OS.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
