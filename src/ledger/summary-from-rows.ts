import { dayLabeler, daySlotMs } from './day-label.js';
import type { Summary, SummaryQuery, SummaryRow } from './ledger-store.js';
import { toBigInt, toSafeNumber } from './safe-integer.js';

type SqlInteger = bigint | string | number | null;

/** An aggregate row as either backend returns it (see summary-sql.ts for the columns). */
export interface AggregateRow {
  calls: SqlInteger;
  errors: SqlInteger;
  input_tokens: SqlInteger;
  output_tokens: SqlInteger;
  cached_input_tokens: SqlInteger;
  reasoning_tokens: SqlInteger;
  cost_nanos: SqlInteger;
  unpriced_calls: SqlInteger;
  estimated_calls: SqlInteger;
  cache_hits: SqlInteger;
}

export interface GroupedRow extends AggregateRow {
  group_value: SqlInteger;
}

const fields = [
  ['calls', 'calls'],
  ['errors', 'errors'],
  ['inputTokens', 'input_tokens'],
  ['outputTokens', 'output_tokens'],
  ['cachedInputTokens', 'cached_input_tokens'],
  ['reasoningTokens', 'reasoning_tokens'],
  ['costNanos', 'cost_nanos'],
  ['unpricedCalls', 'unpriced_calls'],
  ['estimatedCalls', 'estimated_calls'],
  ['cacheHits', 'cache_hits'],
] as const satisfies readonly (readonly [keyof SummaryRow, keyof AggregateRow])[];

type Totals = Omit<SummaryRow, 'group'>;
type ExactTotals = Record<keyof Totals, bigint>;

function zero(): ExactTotals {
  const exact = {} as ExactTotals;
  for (const [name] of fields) exact[name] = 0n;
  return exact;
}

function add(into: ExactTotals, row: AggregateRow): void {
  for (const [name, column] of fields) into[name] += toBigInt(row[column]);
}

function toTotals(exact: ExactTotals): Totals {
  const totals = {} as Totals;
  for (const [name] of fields) totals[name] = toSafeNumber(exact[name], name);
  return totals;
}

/**
 * Builds the summary from the grouped and totals rows. Sums are added as bigint, because 15-minute
 * slots of one day are folded together here and only the final figure must fit in a number.
 */
export function summaryFromRows(query: SummaryQuery, grouped: GroupedRow[], totals: AggregateRow[]): Summary {
  const label = query.groupBy === 'day' ? dayLabeler(query.timeZone) : undefined;
  const groups = new Map<string, ExactTotals>();
  for (const row of grouped) {
    const value = row.group_value ?? '';
    const group = label ? label(Number(value) * daySlotMs) : String(value);
    let exact = groups.get(group);
    if (!exact) {
      exact = zero();
      groups.set(group, exact);
    }
    add(exact, row);
  }
  const overall = zero();
  for (const row of totals) add(overall, row);
  // Sorted here by code unit, not by SQL collation, so both backends order groups the same way.
  const names = [...groups.keys()].sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
  return {
    rows: names.map((group) => ({ group, ...toTotals(groups.get(group)!) })),
    totals: toTotals(overall),
  };
}
