import type { Logger } from 'pino';
import type { Period } from '../budget/budget-schema.js';
import type { ActiveBudget } from '../budget/budgets.js';
import type { LlmkitError } from '../errors/index.js';
import type { LanguageModelV1 } from '../providers/language-model.js';
import type { ChatMessage, FinishReason, ModelRequest, ToolCall, Usage } from '../providers/types.js';
import type { RetryOptions } from '../retry/retry-policy.js';

export interface Timeouts {
  /** Whole call, retries and backoff included: the caller's deadline. */
  totalMs: number;
  /** Streams: from sending a request to the first content delta. */
  firstTokenMs: number;
  /** Streams: the longest silence between two parts once output began. */
  idleMs: number;
}

export interface AttemptRecord {
  attempt: number;
  provider: string;
  model: string;
  startedAt: number;
  latencyMs: number;
  ttftMs?: number | undefined;
  status: 'ok' | 'error' | 'aborted';
  httpStatus?: number | undefined;
  error?: LlmkitError | undefined;
  requestId?: string | undefined;
  /** Set when the policy decided to try again after this attempt. */
  retryInMs?: number | undefined;
  retryReason?: string | undefined;
  /** Set when the policy decided not to try again after this failed attempt, and why. */
  stopReason?: string | undefined;
}

/** The final result of a call, as the client returns it. */
export interface GenerateResult {
  text: string;
  message: Extract<ChatMessage, { role: 'assistant' }>;
  toolCalls: ToolCall[];
  /** Every choice when `n` > 1; `text`/`message` are the first. */
  choices: Array<{
    index: number;
    text: string;
    message: Extract<ChatMessage, { role: 'assistant' }>;
    finishReason: FinishReason;
  }>;
  reasoning?: string;
  usage: Usage | undefined;
  finishReason: FinishReason;
  /** `provider/model` actually called; `responseModel` is what the upstream said answered. */
  model: string;
  responseModel: string | undefined;
  provider: string;
  latencyMs: number;
  ttftMs: number | undefined;
  attempts: number;
  /** llmkit's id for this call (the same across its retries). */
  requestId: string;
  /** The upstream's id of the last attempt, for support tickets. */
  upstreamRequestId: string | undefined;
  responseId: string | undefined;
  /** USD, for display; `costNanos` is the exact integer. Null when the model has no known price. */
  cost: number | null;
  costNanos: number | null;
  usageSource: UsageSource;
  /** `hit`: answered by the response cache, nothing was sent (cost 0); `miss`: the cache was asked, the upstream answered. */
  cache?: 'hit' | 'miss' | undefined;
}

export type UsageSource = 'provider' | 'estimated' | 'none';

export interface CallRecord {
  requestId: string;
  mode: 'generate' | 'stream';
  provider: string | undefined;
  model: string | undefined;
  status: 'ok' | 'error' | 'aborted';
  error: LlmkitError | undefined;
  result: GenerateResult | undefined;
  attempts: AttemptRecord[];
  startedAt: number;
  latencyMs: number;
  ttftMs: number | undefined;
  /** What the provider reported, or, when it never did (abort, disconnect), a local count of what was received. */
  usage: Usage | undefined;
  usageSource: UsageSource;
  /** Integer nano-dollars (1e-9 USD); null when the model has no known price. */
  costNanos: number | null;
  metadata: CallMetadata;
  /** A request refused before it became a call (gateway bad input); `requestedModel` is what it named. */
  refused?: boolean | undefined;
  requestedModel?: string | undefined;
  /** `hit` when the cache answered (cost 0), `miss` when the cache was asked and the upstream answered. */
  cache?: 'hit' | 'miss' | undefined;
}

/** Who and what a call is for: ledger dimensions and budget scopes. */
export interface CallMetadata {
  user?: string | undefined;
  project?: string | undefined;
  tags: string[];
  /** Name of the gateway key the call came in with (set by the gateway). */
  gatewayKey?: string | undefined;
}

/**
 * Limits a caller carries into a call: a gateway key's, or a tenant's in library use. The rate
 * limit step enforces `rpm`/`tpm`; the budget step adds `budget` to the budgets in scope.
 */
export interface KeyPolicy {
  /** Names the key in the ledger (`gateway_key`), budget scopes (`key:<name>`) and errors. */
  name: string;
  rpm?: number | undefined;
  tpm?: number | undefined;
  budget?: { limitUsd: number; period: Period } | undefined;
}

/** Whether a call may be answered from, and stored in, the response cache. */
export type CacheRequest = boolean | { ttlSeconds?: number | undefined };

/** What the pre-flight step learnt before anything was sent. */
export interface Preflight {
  provider: string;
  model: string;
  inputTokens: number;
  /** True only when the model's own tokenizer counted the input. */
  exact: boolean;
  contextWindow: number | undefined;
  /** The most output the call may produce: `max_tokens`, else the model's limit. */
  maxOutputTokens: number | undefined;
  /** Input plus the most output at the model's prices (nano-dollars); null when unpriced. */
  worstCaseCostNanos: number | null;
}

export interface CallTarget {
  provider: string;
  model: string;
  languageModel: LanguageModelV1;
}

export interface CallContext {
  readonly requestId: string;
  readonly mode: 'generate' | 'stream';
  /** The model as the caller named it (`deepseek/deepseek-chat`, an alias, or undefined for the default). */
  readonly modelName: string | undefined;
  request: ModelRequest;
  /** Replaced (never mutated: it may be shared) by the route step to cap retries per target. */
  retry: RetryOptions;
  readonly timeouts: Timeouts;
  /** Aborts on the caller's signal or the total deadline, with a typed reason. */
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly startedAt: number;
  readonly headers: Record<string, string>;
  readonly logger: Logger;
  readonly resolveTarget: (modelName: string | undefined) => CallTarget;
  readonly metadata: CallMetadata;
  /** Turns a model name (alias, `provider/model`, bare) into provider and model, without building anything. */
  readonly planTarget: (modelName: string | undefined) => { provider: string; model: string };
  /** The caller's own limits (a gateway key's), if any. */
  readonly keyPolicy?: KeyPolicy | undefined;
  /** The caller's cache wish; undefined follows `cache.models` in the config. */
  readonly cacheRequest?: CacheRequest | undefined;
  /** Set by the cache step: `hit` when the answer came from the cache (nothing was sent upstream). */
  cacheStatus?: 'hit' | 'miss' | undefined;
  /** Set for a request refused before it became a call (gateway bad input): the ledger records it. */
  refused?: boolean;
  /** Set by the pre-flight step. */
  preflight?: Preflight;
  /** Set by the budget step when it reserved: the settle step settles these. */
  budget?: { active: ActiveBudget[] };
  /** Set by the route step. */
  target?: CallTarget;
  /** Signal of the attempt in flight, set by the retry step for the provider step. */
  attemptSignal?: AbortSignal;
  /** Non-streaming calls: milliseconds spent waiting on upstream responses, every attempt (provider step). */
  upstreamMs?: number;
  /** When the attempt in flight started (epoch ms), set with `attemptSignal`: upstream time so far. */
  attemptStartedAt?: number;
  readonly attempts: AttemptRecord[];
  /** Set by the settle step when the call ends well. */
  result?: GenerateResult;
  /** Set by the guard step when `mask-logs` rules apply: masks their matches in text written to logs. */
  maskForLogs?: (text: string, direction: 'input' | 'output') => string;
  /** Called once per finished attempt. */
  onAttempt: (record: AttemptRecord) => void;
  /** Called by the settle step once the call ended, after every sink; `outcome` is the error, if any. */
  onEnd?: (record: CallRecord, outcome: unknown) => void;
}
