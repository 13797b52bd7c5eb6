import type { Period } from './budget-schema.js';

export interface PeriodWindow {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive; Infinity for `total`. */
  end: number;
  /** `2026-11-24`, `2026-11-24T08`, `2026-W48`, `2026-11` or `total`: part of the line key. */
  label: string;
}

/**
 * The calendar period containing `now` in `timeZone`: hours, days, ISO weeks (Monday first)
 * and months begin at local midnight, so a budget resets when the people who own it expect.
 */
export function periodWindow(period: Period, now: number, timeZone: string): PeriodWindow {
  // Every call asks; the answer only changes at a boundary, and Intl's formatToParts is slow.
  const key = `${period}\n${timeZone}`;
  const cached = lastWindows.get(key);
  if (cached && now >= cached.start && now < cached.end) return cached;
  const window = computeWindow(period, now, timeZone);
  lastWindows.set(key, window);
  return window;
}

const lastWindows = new Map<string, PeriodWindow>();

function computeWindow(period: Period, now: number, timeZone: string): PeriodWindow {
  if (period === 'total') return { start: 0, end: Number.POSITIVE_INFINITY, label: 'total' };
  const local = localParts(now, timeZone);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  if (period === 'hour') {
    const start = zonedTime(local.year, local.month, local.day, local.hour, timeZone);
    return {
      start,
      end: zonedTime(local.year, local.month, local.day, local.hour + 1, timeZone),
      label: `${local.year}-${pad(local.month)}-${pad(local.day)}T${pad(local.hour)}`,
    };
  }
  if (period === 'day') {
    return {
      start: zonedTime(local.year, local.month, local.day, 0, timeZone),
      end: zonedTime(local.year, local.month, local.day + 1, 0, timeZone),
      label: `${local.year}-${pad(local.month)}-${pad(local.day)}`,
    };
  }
  if (period === 'week') {
    const mondayOffset = (local.weekday + 6) % 7;
    const startDay = local.day - mondayOffset;
    const start = zonedTime(local.year, local.month, startDay, 0, timeZone);
    const monday = new Date(Date.UTC(local.year, local.month - 1, startDay));
    return {
      start,
      end: zonedTime(local.year, local.month, startDay + 7, 0, timeZone),
      label: isoWeekLabel(monday),
    };
  }
  return {
    start: zonedTime(local.year, local.month, 1, 0, timeZone),
    end: zonedTime(local.year, local.month + 1, 1, 0, timeZone),
    label: `${local.year}-${pad(local.month)}`,
  };
}

export function assertTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  /** 0 Sunday ... 6 Saturday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let cached = formatters.get(timeZone);
  if (!cached) {
    cached = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, cached);
  }
  return cached;
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function localParts(instant: number, timeZone: string): LocalParts & { minute: number; second: number } {
  const parts = formatter(timeZone).formatToParts(instant);
  const field = (type: string) => parts.find((part) => part.type === type)?.value ?? '0';
  return {
    year: Number(field('year')),
    month: Number(field('month')),
    day: Number(field('day')),
    hour: Number(field('hour')),
    minute: Number(field('minute')),
    second: Number(field('second')),
    weekday: weekdays.indexOf(field('weekday')),
  };
}

/** The instant at which the wall clock in `timeZone` shows the given (normalised) local time. */
function zonedTime(year: number, month: number, day: number, hour: number, timeZone: string): number {
  const wallAsUtc = Date.UTC(year, month - 1, day, hour);
  // Two passes settle the offset, also across a daylight-saving change between guess and answer.
  let guess = wallAsUtc;
  for (let pass = 0; pass < 2; pass++) {
    const local = localParts(guess, timeZone);
    const shown = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
    guess += wallAsUtc - shown;
  }
  return guess;
}

function isoWeekLabel(monday: Date): string {
  const thursday = new Date(monday);
  thursday.setUTCDate(monday.getUTCDate() + 3);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.floor((thursday.getTime() - yearStart) / 86_400_000 / 7) + 1;
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
