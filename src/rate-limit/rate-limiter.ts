import { inScope, type ScopeSubject } from '../budget/budget-scope.js';
import { ConfigError, RateLimitedError } from '../errors/index.js';
import type { Metrics } from '../metrics/metrics.js';
import type { CallContext } from '../pipeline/call-context.js';
import { callSubject } from '../pipeline/call-subject.js';
import type { CallSink } from '../pipeline/steps/settle.js';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import type { RateLimitSettings } from './rate-limit-schema.js';
import type { LimitCheck, RateLimitStore } from './rate-limit-store.js';
import { RedisRateLimitStore } from './redis-rate-limit-store.js';

type Unit = 'rpm' | 'tpm';

/** A limit as the caller sees it: counter, size, and how errors name it. */
export interface AppliedLimit extends LimitCheck {
  unit: Unit;
  /** `key "team-a"`, `rate limit "global"`. */
  owner: string;
}

/** What an admitted call counted, to correct its token estimate when it ends. */
interface Admission {
  second: number;
  /** The tpm counters and the estimate each counted. */
  tokens: ReadonlyArray<{ id: string; estimate: number }>;
}

export interface RateLimiterOptions {
  metrics?: Metrics | undefined;
  /** Redis URL when `rateLimits.redisUrl` is unset: `budgetSettings.redisUrl` (LLMKIT_REDIS_URL). */
  fallbackRedisUrl?: string | undefined;
}

/*
 * The admission rides on the call's own context until the settle sink reads it: cheaper than a
 * WeakMap, which costs a few microseconds of GC bookkeeping per short-lived call.
 */
const admitted = Symbol('llmkit.rateLimitAdmission');
type Counted = CallContext & { [admitted]?: Admission | undefined };

// After the store failed, the fail mode applies at once for this long rather than each call
// waiting for the timeout again: a blackholed Redis must not add 500 ms to every call.
const coolDownMs = 1000;

const none: readonly AppliedLimit[] = [];

/**
 * Which limits apply to a call (its key's rpm/tpm and the `rateLimits.rules` in scope), and
 * admitting it under all of them at once. Requests count at admission; tokens count the
 * estimate (input plus max_tokens) at admission and are corrected to the actual total at the end.
 */
export class RateLimiter {
  readonly settings: RateLimitSettings;
  readonly #options: RateLimiterOptions;
  #store: RateLimitStore | undefined;
  #downUntil = 0;
  #lastError: unknown;

  constructor(settings: RateLimitSettings, options: RateLimiterOptions = {}) {
    this.settings = settings;
    this.#options = options;
    if (settings.store === 'redis' && !settings.redisUrl && !options.fallbackRedisUrl) {
      throw new ConfigError('rateLimits.store is "redis" but no Redis URL is set', {
        hint: 'set rateLimits.redisUrl, budgetSettings.redisUrl or LLMKIT_REDIS_URL (e.g. redis://127.0.0.1:6379/0)',
      });
    }
  }

  /** The limits that apply to this call; empty for most calls, which then cost nothing more. */
  limitsFor(context: CallContext): readonly AppliedLimit[] {
    const policy = context.keyPolicy;
    const rules = this.settings.rules;
    if (policy?.rpm === undefined && policy?.tpm === undefined && rules.length === 0) return none;
    const limits: AppliedLimit[] = [];
    let tokens: number | undefined;
    const estimate = () => {
      tokens ??= tokenEstimate(context);
      return tokens;
    };
    if (policy) {
      const owner = `key "${policy.name}"`;
      if (policy.rpm !== undefined)
        limits.push({ id: `key:${policy.name}/rpm`, owner, unit: 'rpm', limit: policy.rpm, amount: 1 });
      if (policy.tpm !== undefined)
        limits.push({
          id: `key:${policy.name}/tpm`,
          owner,
          unit: 'tpm',
          limit: policy.tpm,
          amount: estimate(),
        });
    }
    if (rules.length === 0) return limits;
    const subject = scopeSubject(context);
    for (const rule of rules) {
      if (!inScope(rule, subject)) continue;
      const name = rule.name ?? rule.scope;
      const owner = rule.name ? `rate limit "${name}" (${rule.scope})` : `rate limit "${name}"`;
      if (rule.rpm !== undefined)
        limits.push({ id: `rule:${name}/rpm`, owner, unit: 'rpm', limit: rule.rpm, amount: 1 });
      if (rule.tpm !== undefined)
        limits.push({ id: `rule:${name}/tpm`, owner, unit: 'tpm', limit: rule.tpm, amount: estimate() });
    }
    return limits;
  }

  /**
   * Counts the call under every limit, or throws RateLimitedError naming the one that refused.
   * Under `failMode: open`, a store that cannot be asked counts nothing and lets the call go.
   */
  async admit(context: CallContext, limits: readonly AppliedLimit[]): Promise<void> {
    const store = this.#openStore();
    if (Date.now() < this.#downUntil) return this.#unavailable(context, limits, this.#lastError, false);
    let outcome: Awaited<ReturnType<RateLimitStore['admit']>>;
    try {
      outcome = await store.admit(limits);
    } catch (error) {
      this.#downUntil = Date.now() + coolDownMs;
      this.#lastError = error;
      return this.#unavailable(context, limits, error, true);
    }
    if (outcome.ok) {
      const tokens = limits
        .filter((limit) => limit.unit === 'tpm')
        .map((limit) => ({ id: limit.id, estimate: limit.amount }));
      if (tokens.length > 0) (context as Counted)[admitted] = { second: outcome.second, tokens };
      return;
    }
    const refused = limits[outcome.refused]!;
    this.#options.metrics?.rateLimited.inc({ limit: labelOf(refused) });
    throw refusal(refused, outcome.retryAfterMs);
  }

  /**
   * Settle sink: replaces each token estimate with what the call used (its usage, reported or
   * estimated; nothing for a cache hit or a call that failed before any output). Never fails a call.
   */
  readonly sink: CallSink = (record, context) => {
    const admission = (context as Counted)[admitted];
    if (!admission) return;
    (context as Counted)[admitted] = undefined;
    const used = record.cache === 'hit' ? 0 : (record.usage?.totalTokens ?? 0);
    const changes = admission.tokens
      .map(({ id, estimate }) => ({ id, delta: used - estimate }))
      .filter((change) => change.delta !== 0);
    if (changes.length === 0) return;
    this.#openStore()
      .adjust(admission.second, changes)
      .catch((error: unknown) => {
        // The estimate stays counted until it leaves the window: at most a minute of over-counting.
        context.logger.warn({ err: error }, 'rate limit token correction failed');
      });
  };

  async close(): Promise<void> {
    await this.#store?.close();
  }

  #openStore(): RateLimitStore {
    this.#store ??=
      this.settings.store === 'redis'
        ? new RedisRateLimitStore((this.settings.redisUrl ?? this.#options.fallbackRedisUrl)!)
        : new MemoryRateLimitStore();
    return this.#store;
  }

  /** Applies the fail mode; `fresh` for the failure that started a cool-down (logged once, not per call). */
  #unavailable(
    context: CallContext,
    limits: readonly AppliedLimit[],
    error: unknown,
    fresh: boolean,
  ): undefined {
    const reason = error instanceof Error ? error.message : String(error);
    if (this.settings.failMode === 'open') {
      if (fresh)
        context.logger.warn(
          { err: error, limits: limits.map((limit) => limit.id) },
          'rate limit store unreachable: the call goes on unlimited (rateLimits.failMode: open)',
        );
      return undefined;
    }
    const first = limits[0]!;
    throw new RateLimitedError(`${first.owner}: its rate limit cannot be checked (${reason})`, {
      limit: labelOf(first),
      retryAfterMs: coolDownMs,
      hint: 'check that Redis answers at rateLimits.redisUrl (or LLMKIT_REDIS_URL); rateLimits.failMode: closed refuses calls meanwhile',
      cause: error,
    });
  }
}

/**
 * Tokens a call may use, counted before it is sent (as providers count TPM): the input plus
 * max_tokens for each choice. A call without max_tokens counts its input only: the model's own
 * output limit (or what its window leaves, 100k+) would make small TPM limits refuse every such
 * call. Either way the count becomes the actual total when the call ends.
 */
export function tokenEstimate(context: CallContext): number {
  const { request, preflight } = context;
  const input = preflight?.inputTokens ?? 0;
  const requested = request.maxCompletionTokens ?? request.maxTokens;
  return input + (requested ?? 0) * (request.n ?? 1);
}

function scopeSubject(context: CallContext): ScopeSubject {
  return callSubject(context, context.preflight ?? context.planTarget(context.modelName));
}

/** The metric label and error field: `key:team-a/rpm`, or a rule's `<name>/tpm`. */
function labelOf(limit: AppliedLimit): string {
  return limit.id.startsWith('rule:') ? limit.id.slice('rule:'.length) : limit.id;
}

function refusal(limit: AppliedLimit, retryAfterMs: number | undefined): RateLimitedError {
  const label = labelOf(limit);
  const what = limit.unit === 'rpm' ? 'requests per minute' : 'tokens per minute';
  if (retryAfterMs === undefined) {
    const counted = limit.unit === 'tpm' ? ' tokens (input plus max_tokens)' : '';
    return new RateLimitedError(
      `${limit.owner} allows ${limit.limit} ${what} and this call alone counts ${limit.amount}${counted}, so it can never fit`,
      {
        limit: label,
        hint: 'lower max_tokens or shorten the prompt, or raise the limit (the key\'s tpm, or "rateLimits.rules")',
      },
    );
  }
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const needs = limit.unit === 'tpm' ? ` (this call needs about ${limit.amount} tokens)` : '';
  return new RateLimitedError(
    `${limit.owner} is over its ${limit.limit} ${what}${needs}; retry in ${seconds} s`,
    { limit: label, retryAfterMs },
  );
}
