import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidResponseError, StreamInterruptedError } from '../errors/index.js';
import { createSseParser, type SseEvent, type SseParserOptions } from './sse-parser.js';

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

/** Feeds the chunks through a parser and collects every event, rejecting with the stream's error. */
async function parse(chunks: (string | Uint8Array)[], options?: SseParserOptions): Promise<SseEvent[]> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? bytes(chunk) : chunk);
      controller.close();
    },
  });
  const reader = source.pipeThrough(createSseParser(options)).getReader();
  const events: SseEvent[] = [];
  for (let result = await reader.read(); !result.done; result = await reader.read())
    events.push(result.value);
  return events;
}

/** Cuts `input` at the given byte offsets; repeated offsets yield empty chunks. */
function cut(input: Uint8Array, offsets: number[]): Uint8Array[] {
  const sorted = offsets.map((offset) => offset % (input.length + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const offset of sorted) {
    chunks.push(input.subarray(start, offset));
    start = offset;
  }
  chunks.push(input.subarray(start));
  return chunks;
}

const message = (data: string, extra: Partial<SseEvent> = {}): SseEvent => ({
  event: 'message',
  data,
  ...extra,
});

describe('createSseParser rules', () => {
  const cases: [string, (string | Uint8Array)[], SseEvent[]][] = [
    ['a single event', ['data: hello\n\n'], [message('hello')]],
    [
      'event name, id and retry',
      ['event: delta\nid: 7\nretry: 1500\ndata: x\n\n'],
      [{ event: 'delta', data: 'x', id: '7', retry: 1500 }],
    ],
    ['multiple data lines joined with LF', ['data: a\ndata:\ndata: c\n\n'], [message('a\n\nc')]],
    ['CRLF line endings', ['data: a\r\ndata: b\r\n\r\n'], [message('a\nb')]],
    ['CR line endings', ['data: a\rdata: b\r\r'], [message('a\nb')]],
    ['CRLF split between chunks', ['data: a\r', '\ndata: b\r\n\r', '\n'], [message('a\nb')]],
    ['CRLF split by an empty chunk', ['data: a\r', '', '\ndata: b\r\n\r\n'], [message('a\nb')]],
    ['a CR chunk followed by a blank LF line', ['data: a\r', '\n\n'], [message('a')]],
    [
      'an emoji split inside its bytes',
      [bytes('data: 😀').subarray(0, 8), bytes('data: 😀').subarray(8), '\n\n'],
      [message('😀')],
    ],
    ['comments ignored', [': ping\n\ndata: a\n: OPENROUTER PROCESSING\ndata: b\n\n:\n\n'], [message('a\nb')]],
    ['empty chunks ignored', ['', 'data: a', '', '\n', '', '\n', ''], [message('a')]],
    ['a leading BOM stripped', ['\uFEFFdata: a\n\n'], [message('a')]],
    [
      'a BOM split across chunks',
      [new Uint8Array([0xef]), new Uint8Array([0xbb, 0xbf]), 'data: a\n\n'],
      [message('a')],
    ],
    ['only the first BOM stripped', ['\uFEFF\uFEFFdata: a\n\ndata: b\n\n'], [message('b')]],
    ['only one leading space removed', ['data:  two\ndata:none\n\n'], [message(' two\nnone')]],
    ['colons inside the value kept', ['data: {"a":"b:c"}\n\n'], [message('{"a":"b:c"}')]],
    ['a field without colon has an empty value', ['data\ndata\n\n'], [message('\n')]],
    ['an event without data not dispatched', ['event: ping\nid: 3\n\ndata: a\n\n'], [message('a')]],
    ['a lone `data:` dispatches empty data', ['data:\n\n'], [message('')]],
    ['an empty event name means message', ['event:\ndata: a\n\n'], [message('a')]],
    ['unknown fields ignored', ['foo: bar\ndata: a\nDATA: b\n\n'], [message('a')]],
    ['ids containing NUL ignored', ['id: a\0b\ndata: a\n\n'], [message('a')]],
    ['non-digit retry ignored', ['retry: 1s\ndata: a\n\n'], [message('a')]],
    ['ids do not carry over', ['id: 1\ndata: a\n\ndata: b\n\n'], [message('a', { id: '1' }), message('b')]],
    ['extra blank lines harmless', ['\n\n\r\ndata: a\n\n\n'], [message('a')]],
    ['an empty stream', [], []],
    ['a stream of only a BOM', ['\uFEFF'], []],
    ['a terminated trailing comment', ['data: a\n\n: bye\n'], [message('a')]],
  ];

  it.each(cases)('%s', async (_name, chunks, expected) => {
    expect(await parse(chunks)).toEqual(expected);
  });

  it('invalid UTF-8 becomes U+FFFD instead of failing', async () => {
    expect(await parse([new Uint8Array([0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0x0a, 0x0a])])).toEqual([
      message('\uFFFD'),
    ]);
  });
});

describe('createSseParser truncation', () => {
  it.each([
    ['data lines without the closing blank line', ['data: a\n']],
    ['an unterminated data line', ['data: a\n\ndata: b']],
    ['an event name without its data', ['event: delta\n']],
    ['an unterminated comment', [': ping']],
    ['a pending CR-terminated line with no blank line', ['data: a\r']],
  ])('errors with StreamInterruptedError on %s', async (_name, chunks) => {
    const failure = parse(chunks);
    await expect(failure).rejects.toBeInstanceOf(StreamInterruptedError);
    await expect(failure).rejects.toThrow('stream ended in the middle of an event');
  });

  it('still delivers the events before the cut', async () => {
    const seen: SseEvent[] = [];
    const writer = createSseParser();
    const reading = (async () => {
      const reader = writer.readable.getReader();
      for (let result = await reader.read(); !result.done; result = await reader.read())
        seen.push(result.value);
    })();
    const input = writer.writable.getWriter();
    await input.write(bytes('data: a\n\ndata: b'));
    await input.close().catch(() => undefined);
    await expect(reading).rejects.toBeInstanceOf(StreamInterruptedError);
    expect(seen).toEqual([message('a')]);
  });
});

describe('createSseParser line limit', () => {
  const limitMessage = /limit of 1024 bytes.*stream\.maxLineBytes/;

  it('accepts a line of exactly maxLineBytes', async () => {
    const line = `data: ${'x'.repeat(1024 - 6)}`;
    expect(await parse([line, '\n\n'], { maxLineBytes: 1024 })).toEqual([message('x'.repeat(1018))]);
  });

  it('errors with InvalidResponseError when an unterminated line outgrows the limit', async () => {
    const chunks = Array.from({ length: 100 }, () => 'data: xxxxxxxxxxxxxxxxxxxx');
    const failure = parse(chunks, { maxLineBytes: 1024 });
    await expect(failure).rejects.toBeInstanceOf(InvalidResponseError);
    await expect(failure).rejects.toThrow(limitMessage);
  });

  it('errors the same way when the long line arrives whole with its terminator', async () => {
    const failure = parse([`data: ${'x'.repeat(2000)}\n\n`], { maxLineBytes: 1024 });
    await expect(failure).rejects.toThrow(limitMessage);
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => createSseParser({ maxLineBytes: 0 })).toThrow(ConfigError);
    expect(() => createSseParser({ maxLineBytes: 1.5 })).toThrow(ConfigError);
  });

  it('parses a 1 MB line arriving in about 1000 random chunks with the default limit', async () => {
    const data = '你好😀abc'.repeat(80_000); // 1.04 MB of UTF-8, multi-byte characters cut at random
    const input = bytes(`event: big\ndata: ${data}\n\n`);
    const offsets = fc.sample(fc.nat({ max: input.length }), { numRuns: 1000, seed: 42 });
    expect(await parse(cut(input, offsets))).toEqual([{ event: 'big', data }]);
  });

  // Re-scanning or re-concatenating the pending line per chunk would copy ~16 GB here and time out.
  it('keeps a 2 MB line in 128-byte chunks linear', { timeout: 2000 }, async () => {
    const input = bytes(`data: ${'x'.repeat(2 * 1024 * 1024)}\n\n`);
    const chunks = Array.from({ length: Math.ceil(input.length / 128) }, (_, index) =>
      input.subarray(index * 128, (index + 1) * 128),
    );
    expect((await parse(chunks))[0]?.data.length).toBe(2 * 1024 * 1024);
  });

  it('streams 100 MB of normal-size events without holding them', async () => {
    const event = `data: {"choices":[{"delta":{"content":"${'token '.repeat(160)}"}}]}\n\n`;
    const chunk = bytes(event.repeat(Math.floor(65_536 / event.length)));
    const chunkCount = Math.ceil((100 * 1024 * 1024) / chunk.length);
    let sent = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < chunkCount) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const reader = source.pipeThrough(createSseParser({ maxLineBytes: 4096 })).getReader();
    let count = 0;
    for (let result = await reader.read(); !result.done; result = await reader.read()) count++;
    expect(count).toBe(chunkCount * Math.floor(65_536 / event.length));
  });
});

describe('createSseParser properties', () => {
  // Field values cannot hold line breaks on the wire; everything else, astral planes included, can.
  const text = fc
    .oneof(
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.string({
        unit: fc.constantFrom('你', '好', '😀', '👩‍👩‍👧', 'é', ' ', ':', '\uFEFF'),
        maxLength: 20,
      }),
    )
    .map((value) => value.replace(/[\r\n]/g, ' '));
  const eventArbitrary = fc.record(
    {
      event: text.filter((value) => value !== ''),
      data: fc.array(text, { minLength: 1, maxLength: 4 }).map((lines) => lines.join('\n')),
      id: text.map((value) => value.replaceAll('\0', '')),
      comment: text,
    },
    { requiredKeys: ['data'] },
  );

  it('parses serialized events back, whatever the line ending and chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArbitrary, { maxLength: 8 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 30 }),
        async (events, end, withBom, offsets) => {
          const wire = events
            .map(({ event, data, id, comment }) => {
              const lines = comment === undefined ? [] : [`:${comment}`];
              if (event !== undefined) lines.push(`event: ${event}`);
              if (id !== undefined) lines.push(`id: ${id}`);
              for (const line of data.split('\n')) lines.push(`data: ${line}`);
              return lines.map((line) => line + end).join('') + end;
            })
            .join('');
          const expected = events.map(({ event, data, id }) => ({
            event: event ?? 'message',
            data,
            ...(id === undefined ? {} : { id }),
          }));
          const input = bytes((withBom ? '\uFEFF' : '') + wire);
          expect(await parse(cut(input, offsets))).toEqual(expected);
        },
      ),
    );
  });

  it('gives the same outcome for any chunking of any bytes', async () => {
    const piece = fc.constantFrom('data', 'event', 'id', ':', ' ', '\r', '\n', 'x', '😀', '\uFEFF');
    const outcome = (chunks: Uint8Array[]) =>
      parse(chunks, { maxLineBytes: 24 }).then(
        (events) => ({ events }),
        (error: unknown) => ({ error: (error as Error).constructor.name }),
      );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (pieces, offsets) => {
          const input = bytes(pieces.join(''));
          expect(await outcome(cut(input, offsets))).toEqual(await outcome([input]));
        },
      ),
    );
  });
});
