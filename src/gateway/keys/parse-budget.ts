import { type Period, periods } from '../../budget/budget-schema.js';
import { UsageError } from '../../errors/index.js';

const form = `write it as USD/period, e.g. 10/day or 0.5/month; the period is one of ${periods.join(', ')}`;

/** Reads a key's budget as the CLI takes it: `10/day`, `0.5/month`, `$25/total`. */
export function parseBudget(text: string): { limitUsd: number; period: Period } {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  if (slash === -1) throw new UsageError(`budget "${text}" has no period`, { hint: form });
  const amount = trimmed.slice(0, slash).trim().replace(/^\$/, '');
  const period = trimmed.slice(slash + 1).trim();
  const limitUsd = Number(amount);
  if (amount === '' || !Number.isFinite(limitUsd) || limitUsd < 0) {
    throw new UsageError(`budget "${text}": "${amount}" is not a number of USD >= 0`, { hint: form });
  }
  if (!isPeriod(period)) {
    throw new UsageError(`budget "${text}": "${period}" is not a period`, { hint: form });
  }
  return { limitUsd, period };
}

function isPeriod(text: string): text is Period {
  return (periods as readonly string[]).includes(text);
}
