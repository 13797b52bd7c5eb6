import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { KeyPolicy } from '../pipeline/call-context.js';
import { GatewayError } from './gateway-errors.js';
import type { GatewayKey, KeyStore } from './keys/key-store.js';
import { policyOf } from './keys/key-store.js';

export interface Caller {
  kind: 'master' | 'key' | 'anonymous';
  key?: GatewayKey;
  policy?: KeyPolicy;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The credential of a request: `Authorization: Bearer`, or `x-api-key` / `api-key` as some SDKs send. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1] : undefined;
  }
  const other = headers['x-api-key'] ?? headers['api-key'];
  return typeof other === 'string' && other ? other : undefined;
}

const unauthorized = (detail: string) =>
  new GatewayError(401, 'invalid_api_key', detail, {
    type: 'invalid_request_error',
    hint: 'send "Authorization: Bearer <key>" with a key from `llmkit keys create`',
  });

/**
 * Who is calling. Gateway keys are checked by the key store (salted scrypt, constant time); the
 * master key, from the environment, by a constant-time comparison of digests.
 */
export class Authenticator {
  private readonly masterDigest: Buffer | undefined;

  constructor(
    private readonly keys: KeyStore,
    masterKey: string | undefined,
    private readonly mode: 'auto' | 'required',
  ) {
    this.masterDigest = masterKey ? digest(masterKey) : undefined;
  }

  /** Whether a request without a credential is turned away. */
  get required(): boolean {
    return this.mode === 'required' || this.masterDigest !== undefined || this.keys.count() > 0;
  }

  isMaster(presented: string): boolean {
    return this.masterDigest !== undefined && timingSafeEqual(digest(presented), this.masterDigest);
  }

  async caller(headers: IncomingHttpHeaders): Promise<Caller> {
    const presented = presentedKey(headers);
    if (presented === undefined) {
      if (!this.required) return { kind: 'anonymous' };
      throw unauthorized('no API key given');
    }
    if (this.isMaster(presented)) return { kind: 'master' };
    const key = await this.keys.verify(presented);
    if (!key) throw unauthorized('the API key is not valid (unknown, revoked or mistyped)');
    return { kind: 'key', key, policy: policyOf(key) };
  }

  /** `/admin/*`: the master key only. */
  admin(headers: IncomingHttpHeaders): void {
    if (!this.masterDigest) {
      throw new GatewayError(403, 'admin_disabled', 'the admin API is off: no master key is set', {
        type: 'permission_error',
        hint: 'set LLMKIT_MASTER_KEY (gateway.masterKeyEnv) in the environment and restart',
      });
    }
    const presented = presentedKey(headers);
    if (presented === undefined || !this.isMaster(presented)) {
      throw new GatewayError(401, 'invalid_api_key', 'the admin API needs the master key', {
        hint: 'send "Authorization: Bearer $LLMKIT_MASTER_KEY"',
      });
    }
  }
}
