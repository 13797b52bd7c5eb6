/*
 * What the usage ledger stores and the contract every storage backend meets. Money is integer
 * nano-dollars (1e-9 USD) so sums are exact; `costNanos: null` means the model has no known
 * price, which is not the same as free and is never stored as 0.
 */

export type CallStatus = 'ok' | 'error' | 'aborted';

/** One call as the caller saw it: a request retried three times is one call row with three attempt rows. */
export interface CallRow {
  /** llmkit's id of the call; unique, so writing the same call twice bills it once. */
  requestId: string;
  /** Epoch ms. */
  startedAt: number;
  provider: string;
  model: string;
  gatewayKey?: string | undefined;
  project?: string | undefined;
  tags: string[];
  user?: string | undefined;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  /** Nano-dollars; null when the model has no known price. */
  costNanos: number | null;
  latencyMs: number;
  ttftMs?: number | undefined;
  status: CallStatus;
  errorClass?: string | undefined;
  streamed: boolean;
  /** `hit`: answered by the response cache (cost 0, nothing sent); `miss`: the cache was asked and the upstream answered; absent: the cache was not asked. */
  cache?: 'hit' | 'miss' | undefined;
  /** Where the token counts came from: the provider's usage, a local estimate, or nowhere. */
  usageSource: 'provider' | 'estimated' | 'none';
  attempts: number;
}

/** One HTTP attempt of a call. */
export interface AttemptRow {
  requestId: string;
  /** 1-based. */
  attempt: number;
  startedAt: number;
  provider: string;
  model: string;
  status: CallStatus;
  httpStatus?: number;
  errorClass?: string;
  latencyMs: number;
  ttftMs?: number;
  upstreamRequestId?: string;
}

export type GroupBy = 'day' | 'model' | 'provider' | 'key' | 'tag' | 'user' | 'project' | 'status';
export const groupByValues: readonly GroupBy[] = [
  'day',
  'model',
  'provider',
  'key',
  'tag',
  'user',
  'project',
  'status',
];

export interface SummaryQuery {
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, exclusive: [since, until). */
  until: number;
  groupBy: GroupBy;
  /** IANA zone that decides where a day starts for `groupBy: 'day'`; default UTC. */
  timeZone?: string;
  provider?: string;
  model?: string;
}

export interface SummaryRow {
  /**
   * The group's value: `YYYY-MM-DD` for days, the name otherwise. Calls with no key, user,
   * project or tag are grouped under `''`.
   */
  group: string;
  calls: number;
  /** Calls whose status is `error` (an aborted call was the caller's choice, not an error). */
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  /** Sum over priced calls only; see `unpricedCalls` for the rest. */
  costNanos: number;
  /** Calls whose model had no known price: their cost is unknown, not zero. */
  unpricedCalls: number;
  /** Calls whose token counts were estimated locally because the provider sent no usage. */
  estimatedCalls: number;
  /** Calls the response cache answered (cost 0; their tokens are those of the stored answer). */
  cacheHits: number;
}

export interface Summary {
  /** Sorted by `group`. Grouped by tag, a call with two tags appears in two rows. */
  rows: SummaryRow[];
  /** Each call counted once, whatever the grouping. */
  totals: Omit<SummaryRow, 'group'>;
}

export interface LedgerStore {
  readonly backend: 'sqlite' | 'postgres';
  /**
   * Writes the batch in one transaction. Idempotent: a call row with an existing requestId is
   * ignored (and its attempts too), so a re-sent batch never double-bills.
   */
  write(batch: { calls: CallRow[]; attempts: AttemptRow[] }): Promise<void>;
  summary(query: SummaryQuery): Promise<Summary>;
  close(): Promise<void>;
}

export interface StoredCall {
  call: CallRow;
  /** Ordered by attempt number. */
  attempts: AttemptRow[];
}

/** Reading one call back, as both built-in backends can (`llmkit usage show <id>`, tests). */
export interface CallLookup {
  findCall(requestId: string): Promise<StoredCall | undefined>;
}
