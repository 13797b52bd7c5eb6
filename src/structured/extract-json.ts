/**
 * Finds the JSON in a model's answer. Models in `json_object` or prompt mode often wrap it in
 * prose or a Markdown fence, so the first of these that applies is taken:
 *
 * 1. the whole text, trimmed, when it starts with `{` or `[`;
 * 2. the content of the first fence tagged `json` (any case, also `jsonc`, `json5`), or of the first
 *    untagged fence whose content starts with `{` or `[`, since an untagged fence may hold a shell
 *    command or an example rather than the answer;
 * 3. the text from the first `{` to the `}` that closes it, skipping braces inside strings.
 *
 * Returns `undefined` when none applies, including a first `{` that is never closed (an answer cut
 * off at the token limit). The JSON is not parsed here: the caller's `JSON.parse` error says what is
 * wrong with it.
 */
export function extractJson(text: string): { json: string } | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return { json: trimmed };
  const fenced = fencedJson(text);
  if (fenced !== undefined) return { json: fenced };
  const start = text.indexOf('{');
  if (start === -1) return undefined;
  const end = closingBrace(text, start);
  return end === undefined ? undefined : { json: text.slice(start, end + 1) };
}

const fence = '```';

function fencedJson(text: string): string | undefined {
  // The info string right after a fence opens; models also put the JSON on that same line.
  const fenceTag = /[ \t]*([\w+-]*)/y;
  let from = 0;
  for (;;) {
    const open = text.indexOf(fence, from);
    if (open === -1) return undefined;
    fenceTag.lastIndex = open + fence.length;
    const tag = fenceTag.exec(text)?.[1]?.toLowerCase() ?? '';
    const contentStart = fenceTag.lastIndex;
    const close = text.indexOf(fence, contentStart);
    // An unclosed fence is no fence; the answer may still hold JSON that step 3 finds.
    if (close === -1) return undefined;
    const content = text.slice(contentStart, close).trim();
    const isJson = tag.startsWith('json') || (tag === '' && /^[[{]/.test(content));
    if (isJson && content !== '') return content;
    from = close + fence.length;
  }
}

/** The index of the `}` closing the `{` at `start`, not counting braces inside strings. */
function closingBrace(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{') depth += 1;
    else if (char === '}') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return undefined;
}
