import { describe, expect, it } from 'vitest';
import { LlmkitError, UsageError } from '../errors/index.js';
import {
  BatchInputError,
  type BatchInputItem,
  checkDuplicateIds,
  formatFromPath,
  parseBatchInput,
} from './batch-input.js';

describe('formatFromPath', () => {
  it.each([
    ['in.jsonl', 'jsonl'],
    ['data/IN.NDJSON', 'jsonl'],
    ['in.json', 'jsonl'],
    ['sheet.csv', 'csv'],
    ['prompts.txt', 'text'],
    ['prompts', 'text'],
    ['dir.csv/prompts', 'text'],
  ] as const)('%s is %s', (path, format) => {
    expect(formatFromPath(path)).toBe(format);
  });
});

describe('parseBatchInput jsonl', () => {
  it('reads prompts and messages, keeping every other key as options', () => {
    const text = [
      '{"id": "a", "prompt": "hi", "model": "m", "temperature": 0.2, "tags": {"k": "v"}}',
      '',
      '{"id": 7, "messages": [{"role": "user", "content": "yo"}], "schema": {"type": "object"}}',
      '{"prompt": "no id"}',
    ].join('\n');
    expect(parseBatchInput(text, 'jsonl')).toEqual({
      items: [
        { id: 'a', line: 1, prompt: 'hi', options: { model: 'm', temperature: 0.2, tags: { k: 'v' } } },
        {
          id: '7',
          line: 3,
          messages: [{ role: 'user', content: 'yo' }],
          options: { schema: { type: 'object' } },
        },
        { id: '4', line: 4, prompt: 'no id', options: {} },
      ],
      problems: [],
    });
  });

  it('reports each bad line with its physical line number and keeps going', () => {
    const text = [
      '{"prompt": "fine"}',
      'not json',
      '["an", "array"]',
      '{"model": "m"}',
      '{"prompt": "a", "messages": [{"role": "user", "content": "b"}]}',
      '{"prompt": ""}',
      '{"messages": []}',
      '{"id": null, "prompt": "x"}',
      '{"prompt": "also fine"}',
    ].join('\r\n');
    const { items, problems } = parseBatchInput(text, 'jsonl');
    expect(items.map((item) => item.line)).toEqual([1, 9]);
    expect(problems.map((problem) => problem.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const messages = problems.map((problem) => problem.message);
    expect(messages[0]).toMatch(/^not valid JSON \(.+\); write one JSON object per line/);
    expect(messages[1]).toMatch(/^not a JSON object \(found an array\)/);
    expect(messages[2]).toMatch(/neither "prompt".*nor "messages"/);
    expect(messages[3]).toMatch(/both "prompt" and "messages"/);
    expect(messages[4]).toMatch(/"prompt" must be a non-empty string \(found an empty string\)/);
    expect(messages[5]).toMatch(/"messages" must be a non-empty array \(found an empty array\)/);
    expect(messages[6]).toMatch(/"id" must be a non-empty string or a number \(found null\)/);
    for (const message of messages) expect(message).not.toContain('\n');
  });

  it('strips a BOM', () => {
    expect(parseBatchInput('\uFEFF{"prompt": "x"}\n', 'jsonl').items).toHaveLength(1);
  });
});

describe('parseBatchInput csv', () => {
  it('reads prompt, id, model and system columns and ignores the rest', () => {
    const text = 'ID, Prompt ,model,system,notes\nq1,"Hello, world",m,be brief,ignored\n,second,,,\n';
    expect(parseBatchInput(text, 'csv')).toEqual({
      items: [
        { id: 'q1', line: 2, prompt: 'Hello, world', options: { model: 'm', system: 'be brief' } },
        { id: '3', line: 3, prompt: 'second', options: {} },
      ],
      problems: [],
    });
  });

  it('numbers rows by the line they start on, after multi-line cells', () => {
    const { items } = parseBatchInput('prompt\n"line one\nline two"\nnext\n', 'csv');
    expect(items.map(({ id, line }) => ({ id, line }))).toEqual([
      { id: '2', line: 2 },
      { id: '4', line: 4 },
    ]);
  });

  it('reports empty prompts and rows with too many cells', () => {
    const { items, problems } = parseBatchInput('id,prompt\na,\nb,  \nc,x,extra\nd,ok', 'csv');
    expect(items.map((item) => item.id)).toEqual(['d']);
    expect(problems).toEqual([
      { line: 2, message: 'the "prompt" cell is empty; fill it in or delete the row' },
      { line: 3, message: 'the "prompt" cell is empty; fill it in or delete the row' },
      { line: 4, message: expect.stringMatching(/^the row has 3 cells but the header has 2; quote cells/) },
    ]);
  });

  it('throws BatchInputError naming the header line and its columns when there is no prompt column', () => {
    const parse = () => parseBatchInput('\nquestion,model\nhi,m\n', 'csv');
    expect(parse).toThrow(BatchInputError);
    expect(parse).toThrow(
      /^INPUT line 2: the header has no "prompt" column \(columns: question, model\); add one/,
    );
    expect(() => parseBatchInput('', 'csv')).toThrow(/no "prompt" column \(the file is empty\)/);
    expect(() => parseBatchInput('prompt,Prompt\nx,y', 'csv')).toThrow(/two "prompt" columns/);
  });
});

describe('parseBatchInput text', () => {
  it('reads one prompt per non-blank line, id = line number', () => {
    expect(parseBatchInput('first\r\n\n  \nsecond line  \n', 'text')).toEqual({
      items: [
        { id: '1', line: 1, prompt: 'first', options: {} },
        { id: '4', line: 4, prompt: 'second line  ', options: {} },
      ],
      problems: [],
    });
  });
});

describe('checkDuplicateIds', () => {
  const item = (id: string, line: number): BatchInputItem => ({ id, line, prompt: 'p', options: {} });

  it('reports each reused id once, on its second line', () => {
    const items = [item('x', 3), item('y', 4), item('x', 9), item('z', 10), item('z', 11), item('x', 12)];
    expect(checkDuplicateIds(items)).toEqual([
      {
        line: 9,
        message:
          'id "x" appears on lines 3, 9 and 12; every id must be unique (give the items distinct ids, or drop the id fields to use line numbers)',
      },
      { line: 11, message: expect.stringMatching(/^id "z" appears on lines 10 and 11; /) },
    ]);
    expect(checkDuplicateIds([item('a', 1), item('b', 2)])).toEqual([]);
  });

  it('catches an explicit id that clashes with a line-number default', () => {
    const { items } = parseBatchInput('{"prompt": "a"}\n{"id": "1", "prompt": "b"}', 'jsonl');
    expect(checkDuplicateIds(items)).toEqual([
      { line: 2, message: expect.stringContaining('lines 1 and 2') },
    ]);
  });
});

describe('BatchInputError', () => {
  it('shows the first problem and how many more, exits 2, and keeps every problem', () => {
    const problems = [
      { line: 7, message: 'not valid JSON (x); fix it' },
      { line: 9, message: 'b' },
      { line: 11, message: 'c' },
    ];
    const error = new BatchInputError(problems);
    expect(error.detail).toBe('INPUT line 7: not valid JSON (x); fix it (and 2 more)');
    expect(error.exitCode).toBe(2);
    expect(error).toBeInstanceOf(UsageError);
    expect(LlmkitError.isInstance(error)).toBe(true);
    expect(error.problems).toEqual(problems);
    expect(error.toJSON()['problems']).toEqual(problems);
    expect(new BatchInputError([problems[0]!]).detail).toBe('INPUT line 7: not valid JSON (x); fix it');
    expect(new BatchInputError(problems, { hint: 'custom' }).hint).toBe('custom');
  });
});
