import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { BudgetStoreUnavailableError } from './store-unavailable-error.js';

/*
 * ioredis is loaded on first use, not with llmkit: it declares `class VerbatimString extends
 * String`, and merely loading that turns off a V8 fast path for string access in the whole
 * process (the guard's term matching measured 2.4x slower with ioredis loaded, bench/README.md).
 * Processes that never use a Redis store should not pay for it.
 */
let redisClass: typeof Redis | undefined;
function loadRedis(): typeof Redis {
  redisClass ??= (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis;
  return redisClass;
}

/** The URL without its password, for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable Redis URL)';
  }
}

function later(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * One ioredis client whose every operation ends within `timeoutMs`. ioredis left to its defaults
 * queues commands while disconnected and retries each up to 20 reconnections, so a call could
 * wait for a dead Redis for a minute. Here nothing waits inside ioredis: `run` waits for the
 * connection itself, bounded by the deadline, and sends only on a ready connection.
 */
export class RedisConnection {
  readonly redis: Redis;
  readonly #where: string;
  readonly #timeoutMs: number;
  #lastError: Error | undefined;
  #ready: Promise<void> | undefined;
  #closed = false;

  constructor(url: string, timeoutMs: number, connectTimeoutMs: number) {
    this.#where = redactRedisUrl(url);
    this.#timeoutMs = timeoutMs;
    const RedisClient = loadRedis();
    this.redis = new RedisClient(url, {
      enableOfflineQueue: false,
      // A command in flight when the connection drops fails at once instead of being re-sent on
      // the next connection: it may already have run, and a reserve run twice reads as a duplicate.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: timeoutMs,
      connectTimeout: connectTimeoutMs,
      // Reconnect forever, at most a second apart, so an outage heals without a restart.
      retryStrategy: (times) => Math.min(times * 100, 1000),
    });
    // Without a listener ioredis prints every failed reconnection; the latest one explains the next rejection.
    this.redis.on('error', (error: Error) => {
      this.#lastError = error;
    });
    this.redis.on('ready', () => {
      this.#lastError = undefined;
    });
  }

  /** Runs `send` on a ready connection; rejects with BudgetStoreUnavailableError within the timeout. */
  async run<T>(send: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('the Redis budget store is closed');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.#timedOut()), this.#timeoutMs);
    });
    try {
      await Promise.race([this.#whenReady(), deadline]);
      return await Promise.race([send(), deadline]);
    } catch (error) {
      throw this.#unavailable(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves on the next 'ready'; rejects when the current connection attempt fails, so a Redis
   * that refuses connections is reported after one attempt rather than at the deadline. Shared by
   * every waiting operation (a thousand waiters would otherwise add a thousand listeners).
   */
  #whenReady(): Promise<void> {
    const redis = this.redis;
    if (redis.status === 'ready') return Promise.resolve();
    this.#ready ??= new Promise<void>((resolve, reject) => {
      const done = () => {
        redis.off('ready', onReady);
        redis.off('close', onClose);
        this.#ready = undefined;
      };
      const onReady = () => {
        done();
        resolve();
      };
      const onClose = () => {
        done();
        reject(this.#lastError ?? new Error('the connection closed'));
      };
      redis.on('ready', onReady);
      redis.on('close', onClose);
    });
    return this.#ready;
  }

  #timedOut(): BudgetStoreUnavailableError {
    const last = this.#lastError ? ` (last error: ${this.#lastError.message})` : '';
    return new BudgetStoreUnavailableError(
      `Redis at ${this.#where} did not answer within ${this.#timeoutMs} ms${last}`,
      { cause: this.#lastError },
    );
  }

  #unavailable(error: unknown): unknown {
    if (error instanceof BudgetStoreUnavailableError) return error;
    if (!(error instanceof Error)) return error;
    if (error.message === 'Command timed out') return this.#timedOut();
    if (error.name === 'MaxRetriesPerRequestError') {
      return new BudgetStoreUnavailableError(
        `lost the connection to Redis at ${this.#where} before it answered (the operation may or may not have run)`,
        { cause: error },
      );
    }
    if (error.name === 'ReplyError') {
      return new BudgetStoreUnavailableError(
        `Redis at ${this.#where} refused a budget operation: ${error.message}`,
        {
          hint: 'check the Redis server (memory limit, permissions of the URL user, replica vs primary); budgetSettings.hardFailMode decides meanwhile',
          cause: error,
        },
      );
    }
    return new BudgetStoreUnavailableError(`cannot reach Redis at ${this.#where} (${error.message})`, {
      cause: error,
    });
  }

  /** Waits (bounded) for answers already asked for, then drops the connection and stops reconnecting. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.redis.status === 'ready') {
      const wait = later(this.#timeoutMs);
      await Promise.race([this.redis.quit().catch(() => undefined), wait.promise]);
      wait.cancel();
    }
    this.redis.disconnect();
  }
}
