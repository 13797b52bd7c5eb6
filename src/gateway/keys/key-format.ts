import { randomBytes } from 'node:crypto';

/** Every gateway key starts with this, so secret scanners (and people) recognise one. */
export const keyPrefix = 'llmk_';

// 8 random bytes of id, in lowercase hex: never contains the `_` that separates the parts.
const idBytes = 8;
// 32 random bytes of secret, base64url without padding: 43 characters.
const secretBytes = 32;
const keyPattern = /^llmk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const idPattern = /^[0-9a-f]{16}$/;
const keyLength = keyPrefix.length + idBytes * 2 + 1 + 43;

export interface KeyParts {
  /** The lookup id, stored in clear; not a secret. */
  id: string;
  secret: string;
}

/** A new key: `llmk_<16 hex id>_<43 base64url secret>`. */
export function generateKey(): { key: string; id: string } {
  const id = randomBytes(idBytes).toString('hex');
  const secret = randomBytes(secretBytes).toString('base64url');
  return { key: `${keyPrefix}${id}_${secret}`, id };
}

/** The id and secret of a well-formed key; undefined for anything else, before any hashing. */
export function parseKey(presented: string): KeyParts | undefined {
  if (typeof presented !== 'string' || presented.length !== keyLength) return undefined;
  const match = keyPattern.exec(presented);
  if (!match?.[1] || !match[2]) return undefined;
  return { id: match[1], secret: match[2] };
}

/** Whether a text has the shape of a key id (so it cannot be a key's name). */
export function isKeyId(text: string): boolean {
  return idPattern.test(text);
}
