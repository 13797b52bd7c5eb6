import { UsageError } from '../errors/index.js';
import { type GroupBy, groupByValues } from '../ledger/index.js';

export const groupings: readonly GroupBy[] = groupByValues;
export const periods = ['today', '7d', '30d'] as const;
export type Period = (typeof periods)[number];

export interface PeriodOptions {
  period?: Period | undefined;
  /** ISO date (`2026-11-01`, midnight in `timeZone`) or date-time (`2026-11-01T08:00:00Z`). */
  since?: string | Date | undefined;
  until?: string | Date | undefined;
  timeZone?: string | undefined;
  now?: number;
}

/** Turns `today` / `7d` / `30d` / `--since` / `--until` into a half-open range of epoch ms. */
export function resolvePeriod(options: PeriodOptions): { since: number; until: number; timeZone: string } {
  if (options.period !== undefined && !(periods as readonly string[]).includes(options.period)) {
    throw new UsageError(`unknown period "${options.period}"`, {
      hint: `use ${periods.join(', ')}, or since/until`,
    });
  }
  const timeZone = options.timeZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new UsageError(`unknown time zone "${timeZone}"`, {
      hint: 'use an IANA name such as UTC or Asia/Shanghai',
    });
  }
  const now = options.now ?? Date.now();
  const startOfToday = startOfDay(now, timeZone);
  const days = options.period === '30d' ? 30 : options.period === '7d' ? 7 : 1;
  const since =
    options.since === undefined
      ? startOfToday - (days - 1) * 86_400_000
      : parseInstant('--since', options.since, timeZone);
  const until = options.until === undefined ? now + 1 : parseInstant('--until', options.until, timeZone);
  if (since >= until) {
    throw new UsageError(
      `--since (${new Date(since).toISOString()}) is not before --until (${new Date(until).toISOString()})`,
      {
        hint: 'swap them, or give a later --until',
      },
    );
  }
  return { since, until, timeZone };
}

export function parseGroupBy(value: string): GroupBy {
  if ((groupings as readonly string[]).includes(value)) return value as GroupBy;
  throw new UsageError(`unknown grouping "${value}"`, { hint: `use one of ${groupings.join(', ')}` });
}

function parseInstant(flag: string, value: string | Date, timeZone: string): number {
  if (value instanceof Date) return value.getTime();
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const utcMidnight = Date.parse(`${value}T00:00:00Z`);
    if (!Number.isNaN(utcMidnight)) return utcMidnight - offsetMs(utcMidnight, timeZone);
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new UsageError(`${flag} "${value}" is not a date`, {
      hint: 'use 2026-11-01 or 2026-11-01T08:00:00Z',
    });
  }
  return parsed;
}

/** Milliseconds the zone is ahead of UTC at `instant`. */
function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const field = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const asUtc = Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}

function startOfDay(instant: number, timeZone: string): number {
  const local = instant + offsetMs(instant, timeZone);
  const midnightLocal = Math.floor(local / 86_400_000) * 86_400_000;
  return midnightLocal - offsetMs(midnightLocal - offsetMs(instant, timeZone), timeZone);
}
