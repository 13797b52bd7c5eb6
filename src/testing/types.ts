/**
 * The public shapes of `llmkit/testing`. They describe what a test scripts (a reply) and what it
 * can inspect afterwards (the recorded requests), never how the fake server is built.
 */

/** One scripted answer of the fake upstream. Every field is optional: `{}` is a normal success. */
export interface FakeReply {
  /** HTTP status; default 200. Any other status sends a JSON error body, streaming or not. */
  status?: number;
  /** Extra response headers, e.g. `{ 'retry-after': '1' }` or `{ 'x-should-retry': 'false' }`. */
  headers?: Record<string, string>;
  /** Raw body sent as-is: objects as JSON, strings verbatim (HTML, plain text...). */
  body?: unknown;
  /** Assistant text; default `echo: <last user message>`, so assertions can predict it. */
  text?: string;
  /** Streams: the text deltas to send; default `text` split into word-ish pieces. */
  chunks?: string[];
  toolCalls?: FakeToolCall[];
  /** Default 'stop', or 'tool_calls' when `toolCalls` is set. */
  finishReason?: string;
  /**
   * `false` omits usage; default counts words in 4-character pieces, deterministically. Output
   * tokens are capped at the request's `max_completion_tokens`/`max_tokens` (times `n`), with
   * finish reason `length`, as a real provider bills.
   */
  usage?: FakeUsage | false;
  /** Delay before the response headers. */
  latencyMs?: number;
  /** Streams: delay after the headers before the first event. */
  ttftMs?: number;
  /** Streams: delay between deltas. */
  interTokenDelayMs?: number;
  fault?: FakeFault;
  /** Mid-stream faults fire after this many deltas; default 1. */
  faultAfterChunks?: number;
  /** Streams: raw SSE text sent verbatim instead of generated events (for parser edge cases). */
  sse?: string;
  /** Streams: interleave `: ping` comment lines, as some proxies and providers do. */
  pingComments?: boolean;
}

export interface FakeToolCall {
  id?: string;
  name: string;
  /** JSON text, exactly as the model would produce it (possibly invalid, on purpose). */
  arguments: string;
}

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

export type FakeFault =
  /** Destroy the socket before any response byte. */
  | 'reset-before-headers'
  /** Send headers and `faultAfterChunks` deltas, then destroy the socket. */
  | 'reset-mid-stream'
  /** Accept the request and never answer, until the client gives up or the server closes. */
  | 'hang-before-headers'
  /** Send headers and `faultAfterChunks` deltas, then nothing more, keeping the socket open. */
  | 'stall-mid-stream'
  /** Send a data line that is not JSON, then end. */
  | 'malformed-sse'
  /** Send every event, usage included, then end without `data: [DONE]`. */
  | 'eof-without-done'
  /** Send half of a `data:` line without its terminator and end the response cleanly. */
  | 'truncate-mid-event'
  /** After `faultAfterChunks` deltas send an `event: error` SSE event and end. */
  | 'stream-error-event';

export type FakeScript = FakeReply | ((request: RecordedRequest) => FakeReply | Promise<FakeReply>);

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /**
   * Parsed JSON, or undefined when the body is empty or not JSON. Typed `any` on purpose: tests
   * read arbitrary wire fields (`body.messages[0].content`) and a cast at every read adds noise.
   */
  // biome-ignore lint/suspicious/noExplicitAny: test-facing wire JSON, see the comment above.
  body: any; // wire JSON, see the comment above
  /** `Date.now()` when the whole body had arrived. */
  receivedAt: number;
}

export interface FakeUpstream {
  /** Base URL to give an OpenAI client, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string;
  /** e.g. `http://127.0.0.1:41234`. */
  readonly origin: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** FIFO: each chat request consumes the next scripted reply; when empty, the default is used. */
  enqueue(...replies: FakeScript[]): this;
  /** Reply used when the queue is empty; initially `{}`, a normal success. */
  setDefault(reply: FakeScript): this;
  /** Clears the queue, the default and the recorded requests. */
  reset(): void;
  /** Closes the server and destroys open sockets, hanging and stalled ones too. Never hangs. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface FakeUpstreamOptions {
  /** Default 0: a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When set, requests without `Authorization: Bearer <apiKey>` or `api-key: <apiKey>` get a 401. */
  apiKey?: string;
  /** Model ids listed by `GET /v1/models`; default `['fake-model']`. */
  models?: string[];
}
