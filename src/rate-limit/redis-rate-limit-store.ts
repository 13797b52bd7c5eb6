import type { Redis } from 'ioredis';
import { RedisConnection } from '../budget/redis-connection.js';
import type { AdmitOutcome, LimitCheck, RateLimitStore } from './rate-limit-store.js';
import { type RateLimitScriptName, rateLimitScripts } from './redis-rate-limit-scripts.js';

export interface RedisRateLimitStoreOptions {
  /** Prefix of every key; default `llmkit:ratelimit:`. Instances sharing limits must share it. */
  prefix?: string;
  /** Every operation settles (or rejects with BudgetStoreUnavailableError) within this; default 500 ms. */
  commandTimeoutMs?: number;
}

// Without numberOfKeys, ioredis takes the key count as the first argument.
type Script = (keyCount: number, ...keysThenArgv: string[]) => Promise<unknown>;
type ScriptedRedis = Redis & Record<RateLimitScriptName, Script>;

/**
 * Counters in Redis, shared by every instance with the same URL and prefix. The connection (and
 * ioredis itself, see redis-connection.ts) is made on the first admission, not before.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly backend = 'redis';
  readonly #url: string;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  #connection: RedisConnection | undefined;
  #redis: ScriptedRedis | undefined;

  constructor(url: string, options: RedisRateLimitStoreOptions = {}) {
    this.#url = url;
    this.#prefix = options.prefix ?? 'llmkit:ratelimit:';
    this.#timeoutMs = options.commandTimeoutMs ?? 500;
  }

  async admit(checks: readonly LimitCheck[]): Promise<AdmitOutcome> {
    const reply = (await this.#script(
      'llmkitRateLimitAdmit',
      checks.map((check) => check.id),
      checks.flatMap((check) => [String(check.limit), String(Math.ceil(check.amount))]),
    )) as number[];
    if (Number(reply[0]) === 1) return { ok: true, second: Number(reply[1]) };
    const wait = Number(reply[2]);
    return { ok: false, refused: Number(reply[1]) - 1, retryAfterMs: wait < 0 ? undefined : wait };
  }

  async adjust(second: number, changes: ReadonlyArray<{ id: string; delta: number }>): Promise<void> {
    if (changes.length === 0) return;
    await this.#script(
      'llmkitRateLimitAdjust',
      changes.map((change) => change.id),
      [String(second), ...changes.map((change) => String(Math.round(change.delta)))],
    );
  }

  async close(): Promise<void> {
    await this.#connection?.close();
  }

  #script(name: RateLimitScriptName, ids: readonly string[], argv: readonly string[]): Promise<unknown> {
    if (!this.#connection) {
      this.#connection = new RedisConnection(this.#url, this.#timeoutMs, this.#timeoutMs);
      const redis = this.#connection.redis as ScriptedRedis;
      for (const [script, definition] of Object.entries(rateLimitScripts))
        redis.defineCommand(script, definition);
      this.#redis = redis;
    }
    const redis = this.#redis!;
    const keys = ids.map((id) => this.#prefix + id);
    return this.#connection.run(() => redis[name](keys.length, ...keys, ...argv));
  }
}
