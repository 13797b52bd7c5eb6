import type { Redis } from 'ioredis';
import type { BudgetLine, BudgetStore, LineState, Reservation, ReserveOutcome } from './budget-store.js';
import { type BudgetScriptName, budgetScripts } from './redis-budget-scripts.js';
import { RedisConnection } from './redis-connection.js';
import {
  checkAlert,
  checkReserve,
  checkSettle,
  closedRetentionMs,
  duplicateReservation,
  expireBatch,
  sweepPerReserve,
} from './store-checks.js';

export interface RedisBudgetStoreOptions {
  /** Prefix of every key; default `llmkit:budget:`. Instances sharing budgets must share it. */
  prefix?: string;
  /** Every operation settles (or rejects with BudgetStoreUnavailableError) within this; default 2000 ms. */
  commandTimeoutMs?: number;
  /** How long one connection attempt may take; default `commandTimeoutMs`. */
  connectTimeoutMs?: number;
}

type Script = (...argv: string[]) => Promise<unknown>;
type ScriptedRedis = Redis & Record<BudgetScriptName, Script>;
type Reply = (string | number)[];

/** `{key, 4 counters}` from the flat integer list a script returns, in `keys` order. */
function statesFrom(keys: readonly string[], flat: Reply, offset: number): LineState[] {
  return keys.map((key, index) => {
    const at = offset + index * 4;
    return {
      key,
      spentNanos: Number(flat[at]),
      reservedNanos: Number(flat[at + 1]),
      spentTokens: Number(flat[at + 2]),
      reservedTokens: Number(flat[at + 3]),
    };
  });
}

const optional = (value: number | null | undefined) =>
  value === null || value === undefined ? '' : String(value);

class RedisBudgetStore implements BudgetStore {
  readonly backend = 'redis';
  readonly #connection: RedisConnection;
  readonly #redis: ScriptedRedis;
  readonly #prefix: string;

  constructor(url: string, options: RedisBudgetStoreOptions) {
    const timeoutMs = options.commandTimeoutMs ?? 2000;
    this.#prefix = options.prefix ?? 'llmkit:budget:';
    this.#connection = new RedisConnection(url, timeoutMs, options.connectTimeoutMs ?? timeoutMs);
    this.#redis = this.#connection.redis as ScriptedRedis;
    for (const [name, definition] of Object.entries(budgetScripts))
      this.#redis.defineCommand(name, definition);
  }

  #script(name: BudgetScriptName, ...argv: string[]): Promise<Reply> {
    return this.#connection.run(() => this.#redis[name](this.#prefix, ...argv)) as Promise<Reply>;
  }

  async reserve(lines: readonly BudgetLine[], reservation: Reservation): Promise<ReserveOutcome> {
    checkReserve(lines, reservation);
    const reply = await this.#script(
      'llmkitBudgetReserve',
      String(Date.now()),
      String(closedRetentionMs),
      String(sweepPerReserve),
      reservation.requestId,
      String(reservation.amountNanos),
      String(reservation.tokens),
      optional(reservation.minimumNanos),
      String(reservation.expiresAt),
      ...lines.flatMap((line) => [
        line.key,
        optional(line.limitNanos),
        optional(line.limitTokens),
        line.hard ? '1' : '0',
        String(line.expiresAt),
      ]),
    );
    if (reply[0] === 'duplicate') throw duplicateReservation(reservation.requestId);
    const states = statesFrom(
      lines.map((line) => line.key),
      reply,
      2,
    );
    if (Number(reply[0]) === 1) return { ok: true, reservedNanos: Number(reply[1]), lines: states };
    return { ok: false, refusedBy: String(reply[1]), lines: states };
  }

  async settle(requestId: string, actual: { nanos: number; tokens: number }): Promise<LineState[]> {
    checkSettle(requestId, actual);
    const reply = await this.#script(
      'llmkitBudgetSettle',
      String(closedRetentionMs),
      requestId,
      String(actual.nanos),
      String(actual.tokens),
    );
    const states: LineState[] = [];
    for (let at = 0; at < reply.length; at += 5) {
      states.push(...statesFrom([String(reply[at])], reply, at + 1));
    }
    return states;
  }

  async expire(now: number): Promise<number> {
    let released = 0;
    for (;;) {
      // Batches keep each script short: Redis runs nothing else while one runs.
      const [count, seen] = await this.#script(
        'llmkitBudgetExpire',
        String(now),
        String(expireBatch),
        String(closedRetentionMs),
      );
      released += Number(count);
      if (Number(seen) < expireBatch) return released;
    }
  }

  async state(keys: readonly string[]): Promise<LineState[]> {
    if (keys.length === 0) return [];
    return statesFrom(keys, await this.#script('llmkitBudgetState', ...keys), 0);
  }

  async claimAlert(key: string, threshold: number): Promise<boolean> {
    checkAlert(key, threshold);
    return Number(await this.#script('llmkitBudgetClaimAlert', key, String(threshold))) === 1;
  }

  close(): Promise<void> {
    return this.#connection.close();
  }
}

/**
 * Connects (in the background) to the Redis at `url` (`redis://[:password@]host:port/db`,
 * `rediss://` for TLS). Several processes or machines share budgets by sharing the URL and the
 * prefix. While Redis is unreachable every operation rejects within `commandTimeoutMs` with a
 * BudgetStoreUnavailableError, and the client keeps reconnecting, so an outage heals by itself.
 */
export function openRedisBudgetStore(url: string, options: RedisBudgetStoreOptions = {}): BudgetStore {
  return new RedisBudgetStore(url, options);
}
