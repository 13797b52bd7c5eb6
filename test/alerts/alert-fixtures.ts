import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { AlertChannel } from '../../src/alerts/alert-channel.js';
import type { AlertEvent, AlertMessage } from '../../src/alerts/alert-event.js';
import { createChannels } from '../../src/alerts/create-channels.js';
import { formatAlert } from '../../src/alerts/format-alert.js';
import { parseAlertsConfig } from '../../src/alerts/parse-alerts-config.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';

export interface ReceivedRequest {
  method: string;
  /** Path and raw query, exactly as sent. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A real HTTP server on 127.0.0.1 that records every request and answers from a script. */
export interface Receiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Answers the next requests in order; the last reply then repeats. */
  replyWith(...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function startReceiver(...replies: Reply[]): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let script: Reply[] = replies.length > 0 ? replies : [{ status: 200, body: 'ok' }];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = request.url ?? '/';
      const parsed = new URL(url, 'http://127.0.0.1');
      requests.push({
        method: request.method ?? 'GET',
        url,
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const reply = script.length > 1 ? script.shift() : script[0];
      const body = reply?.body ?? 'ok';
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      response.writeHead(reply?.status ?? 200, {
        'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
        ...reply?.headers,
      });
      response.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    replyWith(...next) {
      script = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A logger whose JSON lines land in `lines`, and nothing on stderr. */
export function collectingLogger(): {
  logger: Logger;
  lines: string[];
  entries: () => Array<Record<string, unknown>>;
} {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', stderrLevel: 'silent', destination });
  return { logger, lines, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** One channel built from its config as a user writes it, through the real schema and registry. */
export function channelFrom(
  config: Record<string, unknown>,
  env: Record<string, string> = {},
  logger: Logger = collectingLogger().logger,
): AlertChannel {
  const alerts = parseAlertsConfig({ channels: { ops: config } });
  const [channel] = createChannels(alerts, env, logger);
  if (channel === undefined) throw new Error('no channel was built');
  return channel;
}

export const testEvent: AlertEvent = { kind: 'test', at: '2026-11-03T08:00:00.000Z' };

export const thresholdAlert: AlertEvent = {
  kind: 'threshold',
  budget: {
    name: 'daily-global',
    scope: 'global',
    period: 'day',
    periodStart: '2026-11-03T00:00:00.000Z',
    limitUsd: 20,
    mode: 'hard',
  },
  threshold: 80,
  spentUsd: 16,
  spentTokens: 48_000,
  percent: 80,
  at: '2026-11-03T08:00:00.000Z',
};

export function messageOf(event: AlertEvent, locale: 'en' | 'zh' = 'en'): AlertMessage {
  return { event, locale, ...formatAlert(event, locale) };
}

export function send(channel: AlertChannel, message: AlertMessage, timeoutMs = 5_000): Promise<void> {
  return channel.send(message, { signal: AbortSignal.timeout(timeoutMs) });
}
