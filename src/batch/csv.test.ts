import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchInputError } from './batch-input.js';
import { parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads a header and rows with their line numbers', () => {
    expect(parseCsv('id,prompt\n1,hello\n2,world\n')).toEqual({
      header: ['id', 'prompt'],
      headerLine: 1,
      rows: [
        { line: 2, cells: ['1', 'hello'] },
        { line: 3, cells: ['2', 'world'] },
      ],
    });
  });

  it('unquotes cells holding commas, escaped quotes and newlines, numbering rows by where they start', () => {
    const table = parseCsv('a,b\n"x, y","say ""hi"""\n"one\ntwo\nthree",z\nlast,row');
    expect(table.rows).toEqual([
      { line: 2, cells: ['x, y', 'say "hi"'] },
      { line: 3, cells: ['one\ntwo\nthree', 'z'] },
      { line: 6, cells: ['last', 'row'] },
    ]);
  });

  it('accepts CRLF, strips a BOM, and keeps CRLF inside quotes', () => {
    const table = parseCsv('\uFEFFprompt,model\r\n"a\r\nb",m\r\nc,\r\n');
    expect(table.header).toEqual(['prompt', 'model']);
    expect(table.rows).toEqual([
      { line: 2, cells: ['a\r\nb', 'm'] },
      { line: 4, cells: ['c', ''] },
    ]);
  });

  it('skips blank lines, including leading ones, but keeps counting them', () => {
    const table = parseCsv('\n\nprompt\n\nx\n\n\ny\n\n');
    expect(table.headerLine).toBe(3);
    expect(table.rows).toEqual([
      { line: 5, cells: ['x'] },
      { line: 8, cells: ['y'] },
    ]);
  });

  it('keeps empty cells, a trailing comma, and a quote inside a bare cell', () => {
    expect(parseCsv('a,b,c\n,,\nx,\nsay "hi",2,3').rows).toEqual([
      { line: 2, cells: ['', '', ''] },
      { line: 3, cells: ['x', ''] },
      { line: 4, cells: ['say "hi"', '2', '3'] },
    ]);
  });

  it('returns an empty header for empty text', () => {
    expect(parseCsv('')).toEqual({ header: [], headerLine: 1, rows: [] });
    expect(parseCsv('\uFEFF\r\n')).toEqual({ header: [], headerLine: 1, rows: [] });
  });

  it('throws BatchInputError naming the line where an unterminated quote opens', () => {
    const parse = () => parseCsv('prompt\nok\n"multi\nline,\nnever closed\n');
    expect(parse).toThrow(BatchInputError);
    expect(parse).toThrow(/^INPUT line 3: a quoted cell opens here and never closes/);
    try {
      parse();
    } catch (error) {
      expect((error as BatchInputError).problems).toEqual([{ line: 3, message: expect.any(String) }]);
      expect((error as BatchInputError).exitCode).toBe(2);
    }
  });

  it('round-trips any table written by an RFC 4180 writer, with LF or CRLF', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\r\n', 'é', '😀') });
    const row = fc.array(cell, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 6 }), fc.boolean(), (rows, crlf) => {
        // Empty cells are quoted too: a bare empty line is blank, which the parser skips on purpose.
        const quote = (value: string) =>
          /[",\r\n]/.test(value) || value === '' ? `"${value.replaceAll('"', '""')}"` : value;
        const lines = rows.map((cells) => cells.map(quote).join(','));
        const text = lines.join(crlf ? '\r\n' : '\n');
        const parsed = parseCsv(text);
        const all = [parsed.header, ...parsed.rows.map((parsedRow) => parsedRow.cells)];
        expect(all).toEqual(rows);
        let line = 1;
        const expectedLines = lines.map((written) => {
          const start = line;
          line += written.split('\n').length;
          return start;
        });
        expect(
          [parsed.headerLine, ...parsed.rows.map((parsedRow) => parsedRow.line)].slice(0, rows.length),
        ).toEqual(expectedLines);
      }),
    );
  });

  it('stays linear on a long row of quoted cells', () => {
    // Searching for each cell's newline past its closing quote would rescan the row every cell.
    const row = Array.from({ length: 40_000 }, (_, index) => `"cell ${index}"`).join(',');
    const started = performance.now();
    const table = parseCsv(`${row}\n${row}`);
    expect(table.rows[0]?.cells).toHaveLength(40_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
