import type { IncomingMessage, ServerResponse } from 'node:http';
import { chatCompletion, chatCompletionEvents } from './chat-completion.js';
import { type ConnectionScope, connectionScope } from './connection-scope.js';
import { errorBody } from './error-body.js';
import { isRecord } from './is-record.js';
import { type ResolvedReply, resolveReply } from './resolve-reply.js';
import type { FakeFault, FakeReply } from './types.js';

const MID_STREAM_FAULTS: ReadonlySet<FakeFault> = new Set<FakeFault>([
  'reset-mid-stream',
  'stall-mid-stream',
  'malformed-sse',
  'truncate-mid-event',
  'stream-error-event',
]);

/** Writes one scripted reply to a chat request: delays, faults, errors, completions and streams. */
export async function writeReply(
  request: IncomingMessage,
  response: ServerResponse,
  reply: FakeReply,
  requestBody: unknown,
): Promise<void> {
  const scope = connectionScope(response);
  if (reply.latencyMs && !(await scope.delay(reply.latencyMs))) return;
  // A reset (RST), not a clean close: the client must see ECONNRESET before any byte.
  if (reply.fault === 'reset-before-headers') return void request.socket.resetAndDestroy();
  // Left open on purpose; `close()` of the fake or the client's abort ends it.
  if (reply.fault === 'hang-before-headers') return;

  const status = reply.status ?? 200;
  if (reply.body !== undefined || status !== 200) {
    return writeBody(response, status, reply.body ?? errorBody(status), reply.headers);
  }
  const resolved = resolveReply(reply, requestBody);
  const body = isRecord(requestBody) ? requestBody : {};
  if (body['stream'] !== true) return writeCompletion(response, resolved, reply);
  const streamOptions = body['stream_options'];
  const usageRequested = isRecord(streamOptions) && streamOptions['include_usage'] === true;
  return writeStream(response, scope, resolved, reply, usageRequested);
}

/** Sends a body as-is: strings verbatim (HTML from a proxy...), anything else as JSON. */
export function writeBody(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const contentType = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

function writeCompletion(response: ServerResponse, resolved: ResolvedReply, reply: FakeReply): void {
  const completion = chatCompletion(resolved);
  const text = JSON.stringify(completion);
  const half = text.slice(0, Math.floor(text.length / 2));
  const headers = { 'content-type': 'application/json', ...reply.headers };
  switch (reply.fault) {
    // Without a stream, the mid-body faults cut the JSON body instead of the event stream.
    case 'reset-mid-stream':
    case 'stall-mid-stream':
      response.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
      response.write(half, () => {
        if (reply.fault === 'reset-mid-stream') response.socket?.destroy();
      });
      return;
    case 'malformed-sse':
    case 'truncate-mid-event':
      // No content-length: the body ends cleanly, it is just not valid JSON.
      response.writeHead(200, headers);
      response.end(half);
      return;
    default:
      writeBody(response, 200, completion, reply.headers);
  }
}

async function writeStream(
  response: ServerResponse,
  scope: ConnectionScope,
  resolved: ResolvedReply,
  reply: FakeReply,
  usageRequested: boolean,
): Promise<void> {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...reply.headers,
  });
  // Headers go out now, so a client can measure time-to-first-token separately from latency.
  response.flushHeaders();
  if (reply.ttftMs && !(await scope.delay(reply.ttftMs))) return;
  if (reply.sse !== undefined) return void response.end(reply.sse);

  const midStreamFault = reply.fault !== undefined && MID_STREAM_FAULTS.has(reply.fault);
  const faultAfter = reply.faultAfterChunks ?? 1;
  let deltas = 0;
  let lastWrite = Promise.resolve();
  for (const event of chatCompletionEvents(resolved, usageRequested)) {
    const isDelta = event.kind === 'delta';
    // With fewer deltas than `faultAfterChunks`, the fault replaces the finish chunk.
    if (midStreamFault && (isDelta ? deltas >= faultAfter : event.kind !== 'role')) {
      await Promise.race([lastWrite, scope.whenClosed]);
      return injectStreamFault(response, resolved, reply.fault);
    }
    if (event.kind === 'done' && reply.fault === 'eof-without-done') break;
    if (isDelta && deltas > 0 && reply.interTokenDelayMs && !(await scope.delay(reply.interTokenDelayMs))) {
      return;
    }
    if (scope.closed) return;
    if (reply.pingComments) response.write(': ping\n\n');
    lastWrite = new Promise((resolve) => response.write(event.text, () => resolve()));
    if (isDelta) deltas++;
  }
  response.end();
}

function injectStreamFault(response: ServerResponse, resolved: ResolvedReply, fault?: FakeFault): void {
  if (response.destroyed) return;
  switch (fault) {
    case 'reset-mid-stream':
      // After the deltas were flushed, so the client sees them and then a cut connection.
      response.socket?.destroy();
      return;
    case 'stall-mid-stream':
      return;
    case 'malformed-sse':
      response.end('data: {this is not json}\n\n');
      return;
    case 'truncate-mid-event':
      response.end(`data: {"id":"${resolved.id}","object":"chat.completion.chunk","choices":[{"ind`);
      return;
    default: {
      const error = { message: 'fake upstream stream error', type: 'server_error', param: null, code: null };
      response.end(`event: error\ndata: ${JSON.stringify({ error })}\n\n`);
    }
  }
}
