import { randomBytes, type ScryptOptions, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

export interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

/**
 * N = 2^14, r = 8, p = 1 (16 MiB): about 24 ms per hash on one core of a 2024 server, so a
 * stolen database costs an attacker that much per guess, while a gateway pays it once per key
 * and process (verified keys are cached). Stored per row, so a later llmkit can raise it.
 */
export const scryptParameters: ScryptParameters = { N: 16_384, r: 8, p: 1 };
const hashBytes = 32;
const saltBytes = 16;

function options(parameters: ScryptParameters): ScryptOptions {
  // Node's default maxmem (32 MiB) is just above 128 * N * r; leave room for a raised N.
  return { ...parameters, maxmem: 256 * parameters.N * parameters.r + 1024 * 1024 };
}

export interface KeyHash {
  salt: Buffer;
  hash: Buffer;
  parameters: ScryptParameters;
}

/** Hashes a new key with a fresh salt. Synchronous: it runs once, when the key is created. */
export function hashNewKey(key: string): KeyHash {
  const salt = randomBytes(saltBytes);
  const hash = scryptSync(key, salt, hashBytes, options(scryptParameters));
  return { salt, hash, parameters: scryptParameters };
}

/**
 * Whether `presented` hashes to `stored.hash`, compared in constant time. Asynchronous: the
 * work runs on libuv's thread pool, so a gateway keeps serving while it checks a new key.
 */
export function matchesHash(presented: string, stored: KeyHash): Promise<boolean> {
  // An empty or short hash (a row edited by hand) would make any key "match" a derived key of its length.
  if (stored.hash.length !== hashBytes) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    scrypt(presented, stored.salt, stored.hash.length, options(stored.parameters), (error, derived) => {
      if (error) reject(error);
      else resolve(timingSafeEqual(derived, stored.hash));
    });
  });
}
