import { periodWindow } from '../budget/budget-period.js';
import type { Summary } from '../ledger/index.js';
import type { DailySummaryEvent } from './alert-event.js';

export interface DailySummaryOptions {
  /** `HH:MM`, local time in `timeZone`. */
  at: string;
  timeZone: string;
  /** Yesterday's totals, from the ledger. */
  summarize(since: number, until: number): Promise<Summary>;
  send(event: DailySummaryEvent): void;
  onError(error: unknown): void;
  now?: () => number;
}

/**
 * Sends yesterday's spend every day at `at`. The timer never keeps a process alive: a
 * long-running process (the gateway) sends summaries, a script that ends sends none.
 * Returns a function that stops it.
 */
export function scheduleDailySummary(options: DailySummaryOptions): () => void {
  const now = options.now ?? Date.now;
  const [hours = 0, minutes = 0] = options.at.split(':').map(Number);
  let timer: NodeJS.Timeout | undefined;
  const nextRun = (): number => {
    const today = periodWindow('day', now(), options.timeZone);
    // Hours and minutes past local midnight; on a day with a daylight-saving change the run
    // may shift by the change, which a summary can live with.
    const candidate = today.start + (hours * 60 + minutes) * 60_000;
    return candidate > now()
      ? candidate
      : periodWindow('day', today.end, options.timeZone).start + (hours * 60 + minutes) * 60_000;
  };
  const run = async () => {
    const yesterday = periodWindow(
      'day',
      periodWindow('day', now(), options.timeZone).start - 1,
      options.timeZone,
    );
    try {
      const summary = await options.summarize(yesterday.start, yesterday.end);
      options.send({
        kind: 'daily-summary',
        date: yesterday.label,
        totalUsd: summary.totals.costNanos / 1e9,
        calls: summary.totals.calls,
        byModel: summary.rows.map((row) => ({
          model: row.group,
          usd: row.costNanos / 1e9,
          calls: row.calls,
        })),
        at: new Date(now()).toISOString(),
      });
    } catch (error) {
      options.onError(error);
    }
  };
  const arm = () => {
    timer = setTimeout(
      () => {
        void run().finally(arm);
      },
      Math.max(0, nextRun() - now()),
    );
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
