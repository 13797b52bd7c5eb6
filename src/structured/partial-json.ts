/** What a prefix of a JSON document implies so far. */
export interface PartialJson {
  /** The value the prefix implies, with open strings, arrays and objects closed. */
  value: unknown;
  /** The text is a whole JSON document: `JSON.parse` accepts it and returns a value equal to `value`. */
  complete: boolean;
}

/**
 * Reads a prefix of a JSON document, such as the text a model has streamed so far, as the value it
 * implies: open strings, arrays and objects are closed; a partial string value is kept as far as it
 * goes, while a partial key is dropped with its entry, as is a key with no value yet
 * (`{"a":` → `{}`); an unfinished escape, literal (`tru`) or number that still needs a digit
 * (`-`, `1.`, `1e`, `1e-`) is dropped; a number that is already valid (`12`) is kept.
 *
 * Text that stops being a JSON prefix somewhere (trailing prose or a closing Markdown fence after
 * the document, a stray character) is read up to that point, so `{"a":1} thanks` gives `{a: 1}`
 * with `complete: false`. Returns `undefined` while no value has begun (empty or whitespace-only
 * text, a lone `-` or `tru`) and for text that is not JSON at all (`Sure! {...}`).
 *
 * Growing the prefix only extends the value: arrays gain elements, objects gain keys, the last
 * string grows and the last number may change, except that a number is absent while its text ends
 * awaiting a digit (`[1, 12` → `[1, 12]`, `[1, 12.` → `[1]`, `[1, 12.5` → `[1, 12.5]`). Objects
 * with a duplicate key are an exception too: the later value replaces the earlier one.
 *
 * One pass over the text, with an explicit stack rather than recursion, so a deeply nested
 * document cannot overflow the call stack.
 */
export function parsePartialJson(text: string): PartialJson | undefined {
  return new PrefixReader(text).read();
}

type Frame =
  | { kind: 'array'; value: unknown[] }
  | { kind: 'object'; value: Record<string, unknown>; key: string };

/** What the grammar allows next: `first-*` also allows closing the container just opened. */
type Expected = 'value' | 'first-value' | 'key' | 'first-key' | 'colon' | 'after-value';

const literals: Record<string, [word: string, value: boolean | null]> = {
  t: ['true', true],
  f: ['false', false],
  n: ['null', null],
};

const escapes: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class PrefixReader {
  private position = 0;
  private readonly stack: Frame[] = [];
  private root: { value: unknown } | undefined;

  constructor(private readonly text: string) {}

  read(): PartialJson | undefined {
    let expected: Expected = 'value';
    for (;;) {
      this.skipWhitespace();
      const char = this.text[this.position];
      // The only way to a complete document: the whole text read and the root value closed.
      if (char === undefined) return this.result(this.stack.length === 0 && expected === 'after-value');
      const frame = this.stack.at(-1);
      if (expected === 'after-value') {
        if (frame === undefined) return this.result(false);
        if (char === ',') expected = frame.kind === 'array' ? 'value' : 'key';
        else if (char === (frame.kind === 'array' ? ']' : '}')) this.stack.pop();
        else return this.result(false);
        this.position += 1;
      } else if (expected === 'colon') {
        if (char !== ':') return this.result(false);
        this.position += 1;
        expected = 'value';
      } else if (expected === 'key' || expected === 'first-key') {
        if (char === '}' && expected === 'first-key') {
          this.stack.pop();
          this.position += 1;
          expected = 'after-value';
          continue;
        }
        if (char !== '"' || frame?.kind !== 'object') return this.result(false);
        const key = this.readString();
        if (!key.closed) return this.result(false);
        frame.key = key.value;
        expected = 'colon';
      } else if (char === ']' && expected === 'first-value') {
        this.stack.pop();
        this.position += 1;
        expected = 'after-value';
      } else {
        const opened = this.readValue(char);
        if (opened === 'stop') return this.result(false);
        expected = opened;
      }
    }
  }

  /** Reads the value starting at `char`; `'stop'` when the text ends or stops being JSON inside it. */
  private readValue(char: string): Expected | 'stop' {
    if (char === '[' || char === '{') {
      const frame: Frame =
        char === '[' ? { kind: 'array', value: [] } : { kind: 'object', value: {}, key: '' };
      // Attached as soon as opened, so an open container shows up in its parent as it stands.
      this.attach(frame.value);
      this.stack.push(frame);
      this.position += 1;
      return char === '[' ? 'first-value' : 'first-key';
    }
    if (char === '"') {
      const string = this.readString();
      this.attach(string.value);
      return string.closed ? 'after-value' : 'stop';
    }
    if (char === '-' || isDigit(this.text.charCodeAt(this.position))) {
      const start = this.position;
      if (!this.readNumber()) return 'stop';
      this.attach(Number(this.text.slice(start, this.position)));
      return 'after-value';
    }
    const literal = literals[char];
    if (literal === undefined || !this.text.startsWith(literal[0], this.position)) return 'stop';
    this.position += literal[0].length;
    this.attach(literal[1]);
    return 'after-value';
  }

  /**
   * Reads a string from its opening quote. When the text ends or breaks JSON inside it, `value`
   * holds what came before, without a half-read escape, so `"a\u00` gives `a`.
   */
  private readString(): { value: string; closed: boolean } {
    const text = this.text;
    let value = '';
    let runStart = this.position + 1;
    let index = runStart;
    for (; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (code === 0x22) {
        this.position = index + 1;
        return { value: value + text.slice(runStart, index), closed: true };
      }
      // JSON.parse rejects raw control characters inside strings, so they end the prefix.
      if (code < 0x20) break;
      if (code !== 0x5c) continue;
      value += text.slice(runStart, index);
      const escaped = text[index + 1];
      const simple = escaped === undefined ? undefined : escapes[escaped];
      if (simple !== undefined) {
        value += simple;
        index += 1;
      } else if (escaped === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) {
        // One UTF-16 unit per escape: a surrogate pair written as two escapes joins up by itself.
        value += String.fromCharCode(Number.parseInt(text.slice(index + 2, index + 6), 16));
        index += 5;
      } else {
        this.position = index;
        return { value, closed: false };
      }
      runStart = index + 1;
    }
    this.position = index;
    return { value: value + text.slice(runStart, index), closed: false };
  }

  /** Reads a number as far as it goes; false when it still needs a digit to be valid. */
  private readNumber(): boolean {
    const text = this.text;
    let index = this.position;
    const digitsFrom = (from: number): number => {
      let end = from;
      while (isDigit(text.charCodeAt(end))) end += 1;
      return end;
    };
    if (text[index] === '-') index += 1;
    // A leading zero stands alone: in `01` the number is `0` and the `1` breaks the document.
    if (text[index] === '0') index += 1;
    else if (isDigit(text.charCodeAt(index))) index = digitsFrom(index);
    else return false;
    if (text[index] === '.') {
      if (!isDigit(text.charCodeAt(index + 1))) return false;
      index = digitsFrom(index + 1);
    }
    if (text[index] === 'e' || text[index] === 'E') {
      index += text[index + 1] === '+' || text[index + 1] === '-' ? 2 : 1;
      if (!isDigit(text.charCodeAt(index))) return false;
      index = digitsFrom(index);
    }
    this.position = index;
    return true;
  }

  private attach(value: unknown): void {
    const frame = this.stack.at(-1);
    if (frame === undefined) this.root = { value };
    else if (frame.kind === 'array') frame.value.push(value);
    // Defined rather than assigned, as JSON.parse does, so a `__proto__` key stays a plain key
    // instead of replacing the object's prototype.
    else
      Object.defineProperty(frame.value, frame.key, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
  }

  private skipWhitespace(): void {
    // Only the four characters JSON allows: anything else, even U+00A0 or a BOM, breaks it.
    for (;;) {
      const code = this.text.charCodeAt(this.position);
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return;
      this.position += 1;
    }
  }

  private result(complete: boolean): PartialJson | undefined {
    return this.root === undefined ? undefined : { value: this.root.value, complete };
  }
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
