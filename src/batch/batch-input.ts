import { type LlmkitErrorFields, UsageError } from '../errors/index.js';
import { parseCsv } from './csv.js';

export type InputFormat = 'jsonl' | 'csv' | 'text';

/** One item read from a batch INPUT file, before it becomes a call. */
export interface BatchInputItem {
  /** The item's `id`, or its line number as a string when it has none. */
  id: string;
  /** 1-based physical line of the file where the item starts. */
  line: number;
  prompt?: string;
  /** Passed on unchecked: the call pipeline validates messages for every surface alike. */
  messages?: unknown[];
  /** Every other key of a JSONL object (model, system, temperature, schema...), unchanged. */
  options: Record<string, unknown>;
}

/** One thing wrong with one line: `message` names the problem and the fix, on one line. */
export interface InputProblem {
  line: number;
  message: string;
}

/**
 * INPUT cannot be run as it is. The message shows the first problem; `problems` holds all of
 * them so a CLI can list every bad line at once instead of one per run.
 */
export class BatchInputError extends UsageError {
  readonly problems: readonly InputProblem[];
  constructor(problems: InputProblem[], fields: LlmkitErrorFields & { hint?: string } = {}) {
    const [first] = problems;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    super(first ? `INPUT line ${first.line}: ${first.message}${more}` : 'INPUT is not valid', {
      hint: '`llmkit batch --help` describes the jsonl, csv and text input formats',
      ...fields,
    });
    this.problems = problems;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), problems: this.problems };
  }
}

/** `.jsonl`, `.ndjson` and `.json` are read as JSONL, `.csv` as CSV, anything else as one prompt per line. */
export function formatFromPath(path: string): InputFormat {
  const extension = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (extension === 'jsonl' || extension === 'ndjson' || extension === 'json') return 'jsonl';
  if (extension === 'csv') return 'csv';
  return 'text';
}

/**
 * Reads every item it can and reports every line it cannot, so one bad line does not hide the
 * next. Only a CSV whose header has no `prompt` column (or a quote that never closes) throws:
 * then no row can be read at all. Duplicate ids are not checked here; see `checkDuplicateIds`.
 */
export function parseBatchInput(
  text: string,
  format: InputFormat,
): { items: BatchInputItem[]; problems: InputProblem[] } {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (format === 'csv') return parseCsvInput(source);
  const items: BatchInputItem[] = [];
  const problems: InputProblem[] = [];
  source.split('\n').forEach((raw, index) => {
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim() === '') return;
    const line = index + 1;
    if (format === 'text') {
      items.push({ id: String(line), line, prompt: content, options: {} });
      return;
    }
    const result = readJsonLine(content, line);
    if (typeof result === 'string') problems.push({ line, message: result });
    else items.push(result);
  });
  return { items, problems };
}

const jsonHint = 'write one JSON object per line, like {"prompt": "..."}';

/** The item on one JSONL line, or the problem with it. */
function readJsonLine(content: string, line: number): BatchInputItem | string {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    return `not valid JSON (${(error as Error).message}); ${jsonHint}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `not a JSON object (found ${describe(value)}); ${jsonHint}`;
  }
  const { id, prompt, messages, ...options } = value as Record<string, unknown>;
  if (prompt !== undefined && messages !== undefined) {
    return 'has both "prompt" and "messages"; keep one of them';
  }
  if (prompt === undefined && messages === undefined) {
    return 'has neither "prompt" (a non-empty string) nor "messages" (a non-empty array); add one';
  }
  if (prompt !== undefined && (typeof prompt !== 'string' || prompt.trim() === '')) {
    return `"prompt" must be a non-empty string (found ${describe(prompt)}); fill it in or use "messages"`;
  }
  if (messages !== undefined && (!Array.isArray(messages) || messages.length === 0)) {
    return `"messages" must be a non-empty array (found ${describe(messages)}); add at least one message`;
  }
  let itemId = String(line);
  if (typeof id === 'number') itemId = String(id);
  else if (typeof id === 'string' && id !== '') itemId = id;
  else if (id !== undefined) {
    return `"id" must be a non-empty string or a number (found ${describe(id)}); fix it, or drop it to use the line number`;
  }
  const item: BatchInputItem = { id: itemId, line, options };
  if (typeof prompt === 'string') item.prompt = prompt;
  if (Array.isArray(messages)) item.messages = messages;
  return item;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (typeof value === 'string') return value.trim() === '' ? 'an empty string' : 'a string';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Columns other than these are ignored: a CSV cell is always a string, so numeric options would be guesses. */
const csvOptionColumns = ['model', 'system'] as const;

function parseCsvInput(source: string): { items: BatchInputItem[]; problems: InputProblem[] } {
  const { header, headerLine, rows } = parseCsv(source);
  // `Prompt ` and `prompt` are the same column to a human editing in a spreadsheet.
  const names = header.map((name) => name.trim().toLowerCase());
  const column = (name: string): number => names.indexOf(name);
  for (const name of ['prompt', 'id', ...csvOptionColumns]) {
    if (names.indexOf(name) !== names.lastIndexOf(name)) {
      throw new BatchInputError([
        { line: headerLine, message: `the header has two "${name}" columns; rename or delete one` },
      ]);
    }
  }
  const promptColumn = column('prompt');
  if (promptColumn === -1) {
    const found = header.length === 0 ? 'the file is empty' : `columns: ${header.join(', ')}`;
    throw new BatchInputError([
      { line: headerLine, message: `the header has no "prompt" column (${found}); add one` },
    ]);
  }
  const idColumn = column('id');
  const items: BatchInputItem[] = [];
  const problems: InputProblem[] = [];
  for (const { line, cells } of rows) {
    if (cells.length > header.length) {
      problems.push({
        line,
        message: `the row has ${cells.length} cells but the header has ${header.length}; quote cells that contain commas ("a, b")`,
      });
      continue;
    }
    const prompt = cells[promptColumn] ?? '';
    if (prompt.trim() === '') {
      problems.push({ line, message: 'the "prompt" cell is empty; fill it in or delete the row' });
      continue;
    }
    const id = idColumn === -1 ? '' : (cells[idColumn] ?? '');
    const options: Record<string, unknown> = {};
    for (const name of csvOptionColumns) {
      const value = cells[column(name)];
      if (column(name) !== -1 && value !== undefined && value !== '') options[name] = value;
    }
    items.push({ id: id === '' ? String(line) : id, line, prompt, options });
  }
  return { items, problems };
}

/**
 * One problem per id used more than once, on the line of its second use. Ids name results in
 * the OUTPUT journal, so a duplicate would make a resumed run skip an item it never ran.
 */
export function checkDuplicateIds(items: BatchInputItem[]): InputProblem[] {
  const linesById = new Map<string, number[]>();
  for (const item of items) {
    const lines = linesById.get(item.id);
    if (lines) lines.push(item.line);
    else linesById.set(item.id, [item.line]);
  }
  const problems: InputProblem[] = [];
  for (const [id, lines] of linesById) {
    if (lines.length < 2) continue;
    const listed = `${lines.slice(0, -1).join(', ')} and ${lines.at(-1)}`;
    problems.push({
      line: lines[1]!,
      message: `id ${JSON.stringify(id)} appears on lines ${listed}; every id must be unique (give the items distinct ids, or drop the id fields to use line numbers)`,
    });
  }
  return problems.sort((a, b) => a.line - b.line);
}
