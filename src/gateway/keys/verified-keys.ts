import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { GatewayKey } from './key-store.js';

/**
 * Keys that passed scrypt in this process, by id. Only an HMAC under a per-process random key
 * is kept, never the key, and it is compared in constant time. Bounded: past `size` entries the
 * oldest is dropped and costs one more scrypt when it comes back.
 */
export class VerifiedKeys {
  readonly #entries = new Map<string, { digest: Buffer; key: GatewayKey }>();
  readonly #hmacKey = randomBytes(32);
  readonly #size: number;

  constructor(size: number) {
    this.#size = Math.max(0, size);
  }

  digest(presented: string): Buffer {
    return createHmac('sha256', this.#hmacKey).update(presented).digest();
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /**
   * The record if `presented` is the key that passed for this id; false if it is another (only
   * one key hashes to a row's hash, so no scrypt is needed to say so); undefined if not known.
   */
  match(id: string, presented: string): GatewayKey | false | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    return timingSafeEqual(entry.digest, this.digest(presented)) ? entry.key : false;
  }

  remember(id: string, digest: Buffer, key: GatewayKey): void {
    if (this.#size === 0) return;
    this.#entries.delete(id);
    if (this.#entries.size >= this.#size) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(id, { digest, key: freeze(key) });
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** One record is handed to every request with the key, so nobody may change it. */
function freeze(key: GatewayKey): GatewayKey {
  if (key.budget) Object.freeze(key.budget);
  if (key.models) Object.freeze(key.models);
  return Object.freeze(key);
}
