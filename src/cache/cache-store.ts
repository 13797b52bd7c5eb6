/**
 * Where cached answers live. Values are opaque text (a serialized `CacheEntry`); keys are hashes
 * that already hold the namespace and scope. A store may lose entries at any time (eviction,
 * restart): the cache is an optimisation, never a record.
 */
export interface CacheStore {
  readonly backend: 'memory' | 'sqlite' | 'redis';
  /** The value stored under `key`, or undefined when there is none or it has expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key` for `ttlMs`, replacing what was there. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Clock of the in-process stores, injectable so tests can expire entries without sleeping. */
export type Clock = () => number;
