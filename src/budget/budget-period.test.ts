import { describe, expect, it } from 'vitest';
import { assertTimeZone, periodWindow } from './budget-period.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('periodWindow: calendar periods in a time zone', () => {
  it('days begin at local midnight', () => {
    const shanghai = periodWindow('day', at('2026-11-24T17:30:00Z'), 'Asia/Shanghai');
    expect(shanghai).toMatchObject({ label: '2026-11-25' });
    expect(iso(shanghai.start)).toBe('2026-11-24T16:00:00.000Z');
    expect(iso(shanghai.end)).toBe('2026-11-25T16:00:00.000Z');
    const utc = periodWindow('day', at('2026-11-24T17:30:00Z'), 'UTC');
    expect([utc.label, iso(utc.start), iso(utc.end)]).toEqual([
      '2026-11-24',
      '2026-11-24T00:00:00.000Z',
      '2026-11-25T00:00:00.000Z',
    ]);
  });

  it('hours, ISO weeks starting Monday, and months', () => {
    const now = at('2026-11-26T09:15:00Z'); // a Thursday
    const hour = periodWindow('hour', now, 'UTC');
    expect([hour.label, iso(hour.start), iso(hour.end)]).toEqual([
      '2026-11-26T09',
      '2026-11-26T09:00:00.000Z',
      '2026-11-26T10:00:00.000Z',
    ]);
    const week = periodWindow('week', now, 'UTC');
    expect([week.label, iso(week.start), iso(week.end)]).toEqual([
      '2026-W48',
      '2026-11-23T00:00:00.000Z',
      '2026-11-30T00:00:00.000Z',
    ]);
    const month = periodWindow('month', now, 'UTC');
    expect([month.label, iso(month.start), iso(month.end)]).toEqual([
      '2026-11',
      '2026-11-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
    ]);
    const december = periodWindow('month', at('2026-12-31T23:00:00Z'), 'UTC');
    expect(iso(december.end)).toBe('2027-01-01T00:00:00.000Z');
  });

  it('a day across a daylight-saving change is 23 or 25 hours long', () => {
    const springForward = periodWindow('day', at('2026-03-08T12:00:00Z'), 'America/New_York');
    expect((springForward.end - springForward.start) / 3_600_000).toBe(23);
    const fallBack = periodWindow('day', at('2026-11-01T12:00:00Z'), 'America/New_York');
    expect((fallBack.end - fallBack.start) / 3_600_000).toBe(25);
  });

  it('total never resets', () => {
    expect(periodWindow('total', Date.now(), 'UTC')).toEqual({
      start: 0,
      end: Number.POSITIVE_INFINITY,
      label: 'total',
    });
  });

  it('knows time zones', () => {
    expect(assertTimeZone('Asia/Shanghai')).toBe(true);
    expect(assertTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
