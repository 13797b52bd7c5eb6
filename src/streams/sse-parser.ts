import { ConfigError, InvalidResponseError, StreamInterruptedError } from '../errors/index.js';

/** One dispatched server-sent event. */
export interface SseEvent {
  /** The `event:` field; `'message'` when the event had none, as EventSource does. */
  event: string;
  /** Every `data:` line of the event, joined with `\n`. */
  data: string;
  /**
   * The `id:` field of this event, when it had one. Unlike EventSource's `lastEventId` it does not
   * carry over to later events: callers resume streams themselves and want the id each event sent.
   */
  id?: string;
  /** The `retry:` field (milliseconds) sent with this event, when it was all ASCII digits. */
  retry?: number;
}

export interface SseParserOptions {
  /** Longest line accepted, in bytes; longer lines error the stream. Default 8 MiB. */
  maxLineBytes?: number;
}

const defaultMaxLineBytes = 8 * 1024 * 1024;
const lineFeed = 0x0a;
const carriageReturn = 0x0d;
const byteOrderMark = '\uFEFF';

/**
 * Parses an SSE byte stream into events following the WHATWG EventSource rules, except that a
 * stream ending in the middle of an event errors with `StreamInterruptedError` instead of dropping
 * the event silently: LLM upstreams always terminate their events, so a cut one means truncation.
 */
export function createSseParser(options: SseParserOptions = {}): TransformStream<Uint8Array, SseEvent> {
  const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
  if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes <= 0) {
    throw new ConfigError(`stream.maxLineBytes must be a positive integer, got ${String(maxLineBytes)}`);
  }
  const lines = new LineSplitter(maxLineBytes);
  const events = new EventBuilder();
  return new TransformStream<Uint8Array, SseEvent>({
    transform(chunk, controller) {
      lines.push(chunk, (line) => {
        const event = events.take(line);
        if (event !== undefined) controller.enqueue(event);
      });
    },
    flush() {
      if (lines.finish() !== '' || events.inProgress) {
        throw new StreamInterruptedError('stream ended in the middle of an event');
      }
    },
  });
}

/**
 * Cuts bytes into decoded lines. Bytes of an unfinished line wait as a list of chunks, and each
 * chunk is searched for terminators once, so a long line arriving in many small chunks costs
 * linear time rather than re-scanning or re-concatenating the whole line on every chunk.
 */
class LineSplitter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** The last chunk ended in CR: an LF opening the next chunk completes that CRLF, not a new line. */
  private skipLineFeed = false;
  private firstLine = true;
  // Lines are decoded whole, so a character split across chunks is never cut; CR and LF are
  // ASCII and cannot occur inside a multi-byte UTF-8 sequence, so per-line decoding is exact.
  // The BOM is kept here and stripped only from the first line, because only the stream's
  // first BOM is a BOM; later ones are content.
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Uint8Array, onLine: (line: string) => void): void {
    if (chunk.byteLength === 0) return;
    let start = 0;
    if (this.skipLineFeed) {
      this.skipLineFeed = false;
      if (chunk[0] === lineFeed) start = 1;
    }
    // Both positions are cached and refreshed only once passed, so a chunk of many LF-only
    // lines is not re-scanned to its end looking for a CR on every line.
    let nextLineFeed = chunk.indexOf(lineFeed, start);
    let nextCarriageReturn = chunk.indexOf(carriageReturn, start);
    while (nextLineFeed !== -1 || nextCarriageReturn !== -1) {
      const end =
        nextLineFeed === -1
          ? nextCarriageReturn
          : nextCarriageReturn === -1
            ? nextLineFeed
            : Math.min(nextLineFeed, nextCarriageReturn);
      onLine(this.takeLine(chunk.subarray(start, end)));
      start = end + 1;
      if (end === nextCarriageReturn) {
        if (start === chunk.length) this.skipLineFeed = true;
        else if (chunk[start] === lineFeed) start += 1;
      }
      if (nextLineFeed !== -1 && nextLineFeed < start) nextLineFeed = chunk.indexOf(lineFeed, start);
      if (nextCarriageReturn !== -1 && nextCarriageReturn < start) {
        nextCarriageReturn = chunk.indexOf(carriageReturn, start);
      }
    }
    if (start < chunk.length) {
      const rest = chunk.length - start;
      this.checkLength(this.pendingBytes + rest);
      // A copy, so a small tail does not pin a large chunk and a producer reusing its buffer
      // cannot change bytes we still hold.
      this.pending.push(chunk.slice(start));
      this.pendingBytes += rest;
    }
  }

  /** The unterminated rest of the input, decoded; `''` when the input ended at a line break. */
  finish(): string {
    return this.pendingBytes === 0 ? '' : this.takeLine(new Uint8Array(0));
  }

  private takeLine(tail: Uint8Array): string {
    let bytes = tail;
    if (this.pending.length > 0) {
      const length = this.pendingBytes + tail.length;
      this.checkLength(length);
      bytes = new Uint8Array(length);
      let offset = 0;
      for (const part of this.pending) {
        bytes.set(part, offset);
        offset += part.length;
      }
      bytes.set(tail, offset);
      this.pending = [];
      this.pendingBytes = 0;
    } else {
      this.checkLength(tail.length);
    }
    let line = this.decoder.decode(bytes);
    if (this.firstLine) {
      this.firstLine = false;
      if (line.startsWith(byteOrderMark)) line = line.slice(byteOrderMark.length);
    }
    return line;
  }

  // Checked on every line, whole or partial, so the outcome does not depend on where chunks split.
  private checkLength(bytes: number): void {
    if (bytes <= this.maxLineBytes) return;
    throw new InvalidResponseError(
      `an SSE line is longer than the limit of ${this.maxLineBytes} bytes; ` +
        'raise stream.maxLineBytes if the upstream really sends lines this long',
    );
  }
}

/** Interprets lines as SSE fields and assembles them into events. */
class EventBuilder {
  /** A field line arrived since the last blank line: the input may not end here. */
  inProgress = false;
  private data: string[] = [];
  private type = '';
  private id: string | undefined;
  private retry: number | undefined;

  /** Feeds one line; returns the event a blank line completes. */
  take(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    // Comments carry keep-alives such as `: ping` or OpenRouter's `: OPENROUTER PROCESSING`.
    if (line.startsWith(':')) return undefined;
    this.inProgress = true;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (name) {
      case 'event':
        this.type = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        // WHATWG ignores ids containing NUL: they could not be sent back in a header.
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.retry = Number(value);
        break;
      default:
      // Unknown field names are ignored, as WHATWG requires.
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    // An event without any `data:` line is not dispatched (WHATWG); `data:` alone gives `''`.
    let event: SseEvent | undefined;
    if (this.data.length > 0) {
      event = { event: this.type === '' ? 'message' : this.type, data: this.data.join('\n') };
      if (this.id !== undefined) event.id = this.id;
      if (this.retry !== undefined) event.retry = this.retry;
    }
    this.inProgress = false;
    this.data = [];
    this.type = '';
    this.id = undefined;
    this.retry = undefined;
    return event;
  }
}
