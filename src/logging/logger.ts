import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type DestinationStream, type Logger, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggerOptions {
  /** Level of the log file (the brief's `llm_client.log`). */
  level?: LogLevel;
  file?: string | undefined;
  /** Level of the stderr output; `warn` by default: only what needs a person (an unpriced model, a ledger that cannot write). */
  stderrLevel?: LogLevel;
  /**
   * `auto` pretty-prints when stderr is a terminal, JSON lines otherwise; `line` writes one
   * plain `llmkit: warning: ...` line per entry, for a command line tool's stderr.
   */
  pretty?: 'auto' | boolean | 'line';
  /** Extra destination (tests collect lines here). Receives JSON lines at `level`. */
  destination?: DestinationStream;
  env?: Readonly<Record<string, string | undefined>>;
}

// Wherever a key could ride along, pino replaces it before the line is written.
export const redactedPaths = [
  'apiKey',
  '*.apiKey',
  'headers.authorization',
  'headers["api-key"]',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers["api-key"]',
  '*.headers["x-api-key"]',
];

const order: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const lowest = (levels: LogLevel[]) =>
  levels.reduce((a, b) => (order.indexOf(a) <= order.indexOf(b) ? a : b));

export function createLogger(options: LoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const fileLevel = options.level ?? 'info';
  const stderrLevel = options.stderrLevel ?? 'warn';
  const streams: StreamEntry[] = [];
  if (stderrLevel !== 'silent') {
    const wantPretty =
      options.pretty === 'auto' || options.pretty === undefined ? process.stderr.isTTY : options.pretty;
    const stream =
      wantPretty === 'line'
        ? plainLines()
        : wantPretty
          ? pretty({
              destination: 2,
              sync: true,
              colorize: !env['NO_COLOR'] && process.stderr.isTTY,
              ignore: 'pid,hostname',
              translateTime: 'HH:MM:ss.l',
            })
          : pino.destination({ dest: 2, sync: true });
    streams.push({ level: stderrLevel, stream });
  }
  if (options.file && fileLevel !== 'silent') {
    mkdirSync(dirname(options.file), { recursive: true });
    streams.push({
      level: fileLevel,
      stream: pino.destination({ dest: options.file, sync: false, mkdir: true }),
    });
  }
  if (options.destination)
    streams.push({ level: fileLevel === 'silent' ? 'info' : fileLevel, stream: options.destination });
  const levels = streams.map((entry) => entry.level as LogLevel);
  return pino(
    {
      name: 'llmkit',
      level: levels.length > 0 ? lowest(levels) : 'silent',
      redact: { paths: redactedPaths, censor: '[redacted]' },
      base: null,
    },
    pino.multistream(streams, { dedupe: false }),
  );
}

const levelNames: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'error',
  60: 'fatal',
};

/** One readable line per entry: `llmkit: warning: no price known for ...`. */
function plainLines(): DestinationStream {
  return {
    write(line: string) {
      const entry = JSON.parse(line) as { level?: number; msg?: string };
      process.stderr.write(`llmkit: ${levelNames[entry.level ?? 30] ?? 'info'}: ${entry.msg ?? ''}\n`);
    },
  };
}
