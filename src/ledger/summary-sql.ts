import { dayLabeler, daySlotMs } from './day-label.js';
import { type GroupBy, groupByValues, type SummaryQuery } from './ledger-store.js';

/** What differs between the SQL of the two backends. */
export interface SqlDialect {
  /** Placeholder for the parameter at 1-based `index`: `?` in SQLite, `$1` in PostgreSQL. */
  placeholder(index: number): string;
  /** The qualified, quoted name of a ledger table. */
  table(name: 'calls' | 'call_tags'): string;
}

export interface SummarySql {
  /** One row per group: `group_value` plus the aggregate columns. */
  grouped: string;
  /** The same aggregates over every matching call, each counted once. */
  totals: string;
  parameters: (string | number)[];
}

// Missing keys, users, projects and tags group under '' so that the rows add up to the totals.
const groupColumns: Record<GroupBy, string> = {
  // Days are 15-minute UTC slots here, folded into local days in JS (see day-label.ts).
  // Both backends divide integers by truncation, and started_at is never negative.
  day: `c.started_at / ${daySlotMs}`,
  model: 'c.model',
  provider: 'c.provider',
  key: "coalesce(c.gateway_key, '')",
  tag: "coalesce(t.tag, '')",
  user: "coalesce(c.user_name, '')",
  project: "coalesce(c.project, '')",
  status: 'c.status',
};

// SUM over integer columns is exact in both backends (SQLite int64, PostgreSQL NUMERIC for
// BIGINT input); sum() skips NULL costs, so unpriced calls add nothing rather than 0.
const aggregates = `count(*) as calls,
  sum(case when c.status = 'error' then 1 else 0 end) as errors,
  coalesce(sum(c.input_tokens), 0) as input_tokens,
  coalesce(sum(c.output_tokens), 0) as output_tokens,
  coalesce(sum(c.cached_input_tokens), 0) as cached_input_tokens,
  coalesce(sum(c.reasoning_tokens), 0) as reasoning_tokens,
  coalesce(sum(c.cost_nanos), 0) as cost_nanos,
  sum(case when c.cost_nanos is null then 1 else 0 end) as unpriced_calls,
  sum(case when c.usage_source = 'estimated' then 1 else 0 end) as estimated_calls,
  sum(case when c.cache = 'hit' then 1 else 0 end) as cache_hits`;

export function summarySql(query: SummaryQuery, dialect: SqlDialect): SummarySql {
  if (!groupByValues.includes(query.groupBy)) {
    throw new RangeError(`unknown groupBy "${query.groupBy}"; use one of ${groupByValues.join(', ')}`);
  }
  if (!Number.isFinite(query.since) || !Number.isFinite(query.until)) {
    throw new RangeError('summary since and until must be epoch milliseconds');
  }
  // Fail on a misspelt zone before querying, whatever the grouping.
  if (query.timeZone !== undefined) dayLabeler(query.timeZone);
  const parameters: (string | number)[] = [Math.ceil(query.since), Math.ceil(query.until)];
  const conditions = [
    `c.started_at >= ${dialect.placeholder(1)}`,
    `c.started_at < ${dialect.placeholder(2)}`,
  ];
  if (query.provider !== undefined) {
    parameters.push(query.provider);
    conditions.push(`c.provider = ${dialect.placeholder(parameters.length)}`);
  }
  if (query.model !== undefined) {
    parameters.push(query.model);
    conditions.push(`c.model = ${dialect.placeholder(parameters.length)}`);
  }
  const where = `where ${conditions.join(' and ')}`;
  const calls = `${dialect.table('calls')} c`;
  const from =
    query.groupBy === 'tag'
      ? `${calls} left join ${dialect.table('call_tags')} t on t.request_id = c.request_id`
      : calls;
  const group = groupColumns[query.groupBy];
  return {
    grouped: `select ${group} as group_value, ${aggregates} from ${from} ${where} group by ${group}`,
    totals: `select ${aggregates} from ${calls} ${where}`,
    parameters,
  };
}
