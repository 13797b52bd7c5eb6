import type { Logger } from 'pino';
import { ConfigError, InvalidRequestError } from '../errors/index.js';
import type { CallContext } from '../pipeline/call-context.js';
import type { CacheEntry } from './cache-entry.js';
import { parseEntry } from './cache-entry.js';
import { cacheKey } from './cache-key.js';
import type { CacheConfig } from './cache-schema.js';
import type { CacheStore } from './cache-store.js';
import { openCacheStore } from './open-cache-store.js';

// During an outage every call would warn; one warning per interval says it, the rest go to debug.
const warningIntervalMs = 30_000;

/**
 * The cache as the pipeline uses it: which calls it serves, their keys, and a store that is
 * opened on the first cacheable call (a client that never caches opens no file and no socket).
 * Lookups and writes never throw: a failing store is logged and the call goes upstream.
 */
export class ResponseCache {
  readonly config: CacheConfig;
  readonly #models: ReadonlySet<string>;
  readonly #open: () => CacheStore;
  #store: CacheStore | undefined;
  #openError: unknown;
  #lastWarningAt = Number.NEGATIVE_INFINITY;

  /** `store` replaces the configured one (tests, a custom backend). */
  constructor(config: CacheConfig, store?: CacheStore) {
    if (config.store === 'redis' && !config.redisUrl && !store) {
      throw new ConfigError('cache.store is "redis" but no Redis URL is set', {
        hint: 'set cache.redisUrl, or LLMKIT_REDIS_URL (e.g. redis://127.0.0.1:6379/0)',
      });
    }
    this.config = config;
    this.#models = new Set(config.models);
    this.#open = store ? () => store : () => openCacheStore(config);
  }

  /** How long this call's answer may be kept, or undefined when the cache is not to be used. */
  ttlMs(context: CallContext): number | undefined {
    const asked = context.cacheRequest;
    if (asked === false) return undefined;
    if (asked === undefined) {
      // The hot path of every call that says nothing: no hashing, no lookup.
      if (this.#models.size === 0 || !this.#listed(context)) return undefined;
      return this.config.ttlSeconds * 1000;
    }
    const seconds = asked === true ? this.config.ttlSeconds : (asked.ttlSeconds ?? this.config.ttlSeconds);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new InvalidRequestError(`cache ttlSeconds must be a number > 0, got ${seconds}`, {
        hint: 'pass cache: true for the configured TTL, or cache: { ttlSeconds: 600 }',
      });
    }
    return seconds * 1000;
  }

  /** The call's key: its model as named, its normalized request, the namespace and (with `perKey`) its gateway key. */
  key(context: CallContext): string {
    return cacheKey({
      namespace: this.config.namespace,
      scope: this.config.perKey ? context.metadata.gatewayKey : undefined,
      model: context.modelName ?? this.#planned(context),
      request: context.request,
    });
  }

  async lookup(key: string, logger: Logger): Promise<CacheEntry | undefined> {
    try {
      const text = await this.#opened().get(key);
      if (text === undefined) return undefined;
      const entry = parseEntry(text);
      if (!entry) logger.debug({ key }, 'response cache: unreadable entry ignored');
      return entry;
    } catch (error) {
      this.#warn(logger, error, 'response cache lookup failed; the call goes upstream');
      return undefined;
    }
  }

  async save(key: string, entry: CacheEntry, ttlMs: number, logger: Logger): Promise<void> {
    const text = JSON.stringify(entry);
    if (Buffer.byteLength(text) > this.config.maxEntryBytes) {
      logger.debug(
        { key, bytes: Buffer.byteLength(text), maxEntryBytes: this.config.maxEntryBytes },
        'response cache: answer too large to store',
      );
      return;
    }
    try {
      await this.#opened().set(key, text, ttlMs);
    } catch (error) {
      this.#warn(logger, error, 'response cache write failed; the answer was not stored');
    }
  }

  async close(): Promise<void> {
    const store = this.#store;
    this.#store = undefined;
    await store?.close();
  }

  #listed(context: CallContext): boolean {
    if (context.modelName !== undefined && this.#models.has(context.modelName)) return true;
    return this.#models.has(this.#planned(context));
  }

  #planned(context: CallContext): string {
    const { provider, model } = context.planTarget(context.modelName);
    return `${provider}/${model}`;
  }

  /** The store, opened once; a store that failed to open is not tried again by this client. */
  #opened(): CacheStore {
    if (this.#store) return this.#store;
    if (this.#openError !== undefined) throw this.#openError;
    try {
      this.#store = this.#open();
      return this.#store;
    } catch (error) {
      this.#openError = error;
      throw error;
    }
  }

  #warn(logger: Logger, error: unknown, message: string): void {
    const now = Date.now();
    const quiet = now - this.#lastWarningAt < warningIntervalMs;
    if (!quiet) this.#lastWarningAt = now;
    logger[quiet ? 'debug' : 'warn']({ err: error, store: this.config.store }, message);
  }
}
