import { BatchInputError } from './batch-input.js';

export interface CsvTable {
  header: string[];
  /** 1-based line of the header row (later than 1 when blank lines come first). */
  headerLine: number;
  /** `line` is the 1-based physical line where the row starts; a quoted cell may span several. */
  rows: Array<{ line: number; cells: string[] }>;
}

/**
 * Parses RFC 4180 CSV: comma separated, `"` quoting with `""` escapes, quoted cells may hold
 * commas and newlines, LF or CRLF line ends, a UTF-8 BOM (Excel writes one) stripped.
 * Blank physical lines are skipped rather than read as one-empty-cell rows, so a trailing
 * newline or a spacer line never becomes an item. One pass over the text, slices not
 * per-character concatenation, so it stays linear on large files.
 */
export function parseCsv(text: string): CsvTable {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: CsvTable['rows'] = [];
  let index = 0;
  let line = 1;

  /** Length of the line break at `at` (LF or CRLF), or 0 when there is none. */
  const breakAt = (at: number): number =>
    source[at] === '\n' ? 1 : source[at] === '\r' && source[at + 1] === '\n' ? 2 : 0;

  /** Reads an unquoted run up to the next comma, line break or the end. */
  const readBare = (): string => {
    const start = index;
    while (index < source.length && source[index] !== ',' && breakAt(index) === 0) index++;
    return source.slice(start, index);
  };

  const readQuoted = (): string => {
    const openLine = line;
    index++; // the opening quote
    let value = '';
    let start = index;
    for (;;) {
      const quote = source.indexOf('"', index);
      if (quote === -1) {
        throw new BatchInputError([
          {
            line: openLine,
            message:
              'a quoted cell opens here and never closes; add the closing " (write "" for a quote inside a cell)',
          },
        ]);
      }
      // Counted by hand between here and the quote: `indexOf('\n')` could run past the quote to
      // the end of the file on every cell, which is quadratic.
      for (let at = index; at < quote; at++) if (source.charCodeAt(at) === 10) line++;
      if (source[quote + 1] === '"') {
        value += source.slice(start, quote + 1);
        index = quote + 2;
        start = index;
        continue;
      }
      value += source.slice(start, quote);
      index = quote + 1;
      // Lenient like most readers: text after the closing quote (`"a"b`) is kept, not refused.
      return value + readBare();
    }
  };

  while (index < source.length) {
    const blank = breakAt(index);
    if (blank > 0) {
      index += blank;
      line++;
      continue;
    }
    const rowLine = line;
    const cells: string[] = [];
    for (;;) {
      cells.push(source[index] === '"' ? readQuoted() : readBare());
      if (source[index] === ',') {
        index++;
        continue;
      }
      const end = breakAt(index);
      if (end > 0) {
        index += end;
        line++;
      }
      break;
    }
    rows.push({ line: rowLine, cells });
  }

  const [first, ...rest] = rows;
  return { header: first?.cells ?? [], headerLine: first?.line ?? 1, rows: rest };
}
