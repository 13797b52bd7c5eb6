/**
 * Why a pattern cannot be made linear: backreferences and lookaround have no linear-time
 * algorithm, and a pattern whose `{n,m}` copies would pass `maxRewrittenLength` is too large.
 */
export class LinearRewriteError extends Error {
  constructor(readonly reason: 'backreference' | 'lookaround' | 'too-large') {
    super(`cannot rewrite the pattern: ${reason}`);
  }
}

/** Longest rewritten pattern accepted: expanding `{n,m}` copies its operand m times. */
export const maxRewrittenLength = 100_000;

const isHex = (text: string) => /^[0-9A-Fa-f]+$/.test(text);
const hex4 = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`;

let equivalents: Map<number, number[]> | undefined;

/**
 * The characters a non-unicode `i` regex treats as `code` (ECMAScript Canonicalize: upper case,
 * unless that is more than one unit or maps a non-ASCII character to ASCII). Built once, on first
 * need, from all 65,536 units, because `σ`, `ς` and `Σ` are equal only through their upper case.
 */
function caseVariants(code: number): number[] {
  if (equivalents === undefined) {
    equivalents = new Map();
    for (let unit = 0; unit < 0x10000; unit += 1) {
      const upper = String.fromCharCode(unit).toUpperCase();
      const canonical =
        upper.length !== 1 || (unit >= 128 && upper.charCodeAt(0) < 128) ? unit : upper.charCodeAt(0);
      const group = equivalents.get(canonical);
      if (group === undefined) equivalents.set(canonical, [unit]);
      else group.push(unit);
    }
  }
  const upper = String.fromCharCode(code).toUpperCase();
  const canonical =
    upper.length !== 1 || (code >= 128 && upper.charCodeAt(0) < 128) ? code : upper.charCodeAt(0);
  return equivalents.get(canonical) ?? [code];
}

const syntaxCharacters = new Set('^$\\.*+?()[]{}|/-');

function literal(code: number): string {
  const character = String.fromCharCode(code);
  if (syntaxCharacters.has(character)) return `\\${character}`;
  return code < 0x20 || code > 0x7e ? hex4(code) : character;
}

/** `[...]` source for a set of UTF-16 units, as ranges. */
function classSource(units: Uint8Array, negated: boolean, escapes: string): string {
  let body = escapes;
  for (let unit = 0; unit < 0x10000; unit += 1) {
    if (units[unit] === 0) continue;
    let last = unit;
    while (last + 1 < 0x10000 && units[last + 1] === 1) last += 1;
    body += last === unit ? hex4(unit) : `${hex4(unit)}-${hex4(last)}`;
    unit = last;
  }
  return `[${negated ? '^' : ''}${body}]`;
}

/**
 * Rewrites a (valid, non-unicode) pattern into one V8's linear-time engine accepts on Node 20,
 * whose engine refuses the `i` flag and any `{n,m}` above 16: groups become non-capturing (only
 * whole matches are used), `{n,m}` is expanded into copies, and with `caseInsensitive` every
 * letter becomes a class of its case variants, so the caller can drop the `i` flag. Throws
 * `LinearRewriteError` for backreferences, lookaround, and expansions past `maxRewrittenLength`.
 */
export function toLinearPattern(source: string, caseInsensitive: boolean): string {
  let index = 0;
  const hasNamedGroups = /\(\?<[^=!]/.test(source);
  const peek = (offset = 0) => source[index + offset];

  const characterOf = (code: number) => {
    if (!caseInsensitive) return literal(code);
    const variants = caseVariants(code);
    return variants.length === 1 ? literal(code) : `[${variants.map(hex4).join('')}]`;
  };

  /** Reads the escape after a backslash; returns a unit, or source text for class escapes. */
  const readEscape = (inClass: boolean): number | string => {
    const character = source[index]!;
    index += 1;
    if ('dDwWsS'.includes(character)) return `\\${character}`;
    if (character === 'b' && inClass) return 8;
    if ((character === 'b' || character === 'B') && !inClass) return `\\${character}`;
    if (character >= '1' && character <= '9' && !inClass) throw new LinearRewriteError('backreference');
    if (character === 'k' && hasNamedGroups && !inClass) throw new LinearRewriteError('backreference');
    if (character >= '0' && character <= '7') {
      // `\0` or a legacy octal escape (Annex B).
      let digits = character;
      while (
        digits.length < 3 &&
        /[0-7]/.test(peek() ?? '') &&
        Number.parseInt(digits + peek(), 8) <= 0o377
      ) {
        digits += peek();
        index += 1;
      }
      return Number.parseInt(digits, 8);
    }
    if (character === 'x' && isHex(source.slice(index, index + 2)) && index + 2 <= source.length) {
      index += 2;
      return Number.parseInt(source.slice(index - 2, index), 16);
    }
    if (character === 'u' && isHex(source.slice(index, index + 4)) && index + 4 <= source.length) {
      index += 4;
      return Number.parseInt(source.slice(index - 4, index), 16);
    }
    if (character === 'c') {
      const letter = peek() ?? '';
      if (/[A-Za-z]/.test(letter) || (inClass && /[0-9_]/.test(letter))) {
        index += 1;
        return letter.charCodeAt(0) % 32;
      }
      // Annex B: a `\c` without a letter is a backslash and a `c`.
      index -= 1;
      return 0x5c;
    }
    const controls: Record<string, number> = { f: 12, n: 10, r: 13, t: 9, v: 11 };
    return controls[character] ?? character.charCodeAt(0);
  };

  const characterClass = (): string => {
    const start = index;
    index += 1;
    const negated = peek() === '^';
    if (negated) index += 1;
    const units = new Uint8Array(0x10000);
    let escapes = '';
    const atom = (): number | string => {
      const character = source[index]!;
      index += 1;
      return character === '\\' ? readEscape(true) : character.charCodeAt(0);
    };
    while (peek() !== ']') {
      const first = atom();
      let last: number | string = first;
      if (peek() === '-' && peek(1) !== ']' && peek(1) !== undefined) {
        index += 1;
        last = atom();
        // Annex B: a class escape at either end makes the `-` literal.
        if (typeof first === 'string' || typeof last === 'string') {
          for (const part of [first, 45, last]) {
            if (typeof part === 'string') escapes += part;
            else units[part] = 1;
          }
          continue;
        }
      }
      if (typeof first === 'string') {
        escapes += first;
        continue;
      }
      for (let unit = first; unit <= (last as number); unit += 1) units[unit] = 1;
    }
    index += 1;
    if (!caseInsensitive) return source.slice(start, index);
    for (let unit = 0; unit < 0x10000; unit += 1) {
      if (units[unit] === 1) for (const variant of caseVariants(unit)) units[variant] = 2;
    }
    for (let unit = 0; unit < 0x10000; unit += 1) if (units[unit] === 2) units[unit] = 1;
    return classSource(units, negated, escapes);
  };

  /** One atom and whether a quantifier may follow it. */
  const atom = (): [text: string, quantifiable: boolean] => {
    const character = source[index]!;
    if (character === '^' || character === '$') {
      index += 1;
      return [character, false];
    }
    if (character === '.') {
      index += 1;
      return ['.', true];
    }
    if (character === '[') return [characterClass(), true];
    if (character === '(') {
      index += 1;
      if (peek() === '?') {
        const kind = source.slice(index, index + 3);
        if (kind.startsWith('?=') || kind.startsWith('?!') || kind === '?<=' || kind === '?<!') {
          throw new LinearRewriteError('lookaround');
        }
        if (kind.startsWith('?:')) index += 2;
        else index = source.indexOf('>', index) + 1; // a named group
      }
      const inner = disjunction();
      index += 1; // `)`
      return [`(?:${inner})`, true];
    }
    if (character === '\\') {
      index += 1;
      const escaped = readEscape(false);
      if (typeof escaped === 'string') return [escaped, escaped !== '\\b' && escaped !== '\\B'];
      return [characterOf(escaped), true];
    }
    index += 1;
    return [characterOf(character.charCodeAt(0)), true];
  };

  const quantified = (operand: string): string => {
    const counted = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(index));
    let minimum: number;
    let maximum: number;
    if (counted !== null) {
      index += counted[0].length;
      minimum = Number(counted[1]);
      maximum =
        counted[2] === undefined
          ? minimum
          : counted[3] === ''
            ? Number.POSITIVE_INFINITY
            : Number(counted[3]);
    } else if (peek() === '*' || peek() === '+' || peek() === '?') {
      const symbol = peek()!;
      index += 1;
      const lazy = peek() === '?' ? '?' : '';
      if (lazy) index += 1;
      return operand + symbol + lazy;
    } else {
      return operand;
    }
    const lazy = peek() === '?' ? '?' : '';
    if (lazy) index += 1;
    if (
      operand.length * Math.max(minimum, Number.isFinite(maximum) ? maximum : minimum + 1) >
      maxRewrittenLength
    ) {
      throw new LinearRewriteError('too-large');
    }
    let optional = '';
    if (Number.isFinite(maximum)) {
      for (let count = minimum; count < maximum; count += 1) optional = `(?:${operand}${optional})?${lazy}`;
    } else {
      optional = `${operand}*${lazy}`;
    }
    return operand.repeat(minimum) + optional;
  };

  const alternative = (): string => {
    let text = '';
    while (index < source.length && peek() !== '|' && peek() !== ')') {
      const [operand, quantifiable] = atom();
      text += quantifiable ? quantified(operand) : operand;
      if (text.length > maxRewrittenLength) throw new LinearRewriteError('too-large');
    }
    return text;
  };

  function disjunction(): string {
    let text = alternative();
    while (peek() === '|') {
      index += 1;
      text += `|${alternative()}`;
    }
    return text;
  }

  const rewritten = disjunction();
  // The caller compiled the pattern first, so a stray `)` cannot remain; this is a safety net.
  if (index < source.length) throw new SyntaxError('unbalanced parenthesis');
  return rewritten;
}
