import { createHash } from 'node:crypto';
import type { ModelRequest } from '../providers/types.js';

// Bumped whenever what goes into a key changes, so old entries simply stop matching.
const keyVersion = 1;

export interface CacheKeyInput {
  /** `cache.namespace`. */
  namespace: string;
  /** Whose entries these are (the gateway key with `perKey`); undefined: shared. */
  scope: string | undefined;
  /** The model as the caller named it (alias, route, `provider/model`). */
  model: string;
  request: ModelRequest;
}

/** JSON with every object's keys sorted, so `{a, b}` and `{b, a}` give the same text. Undefined fields are left out. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => {
    if (field === null || typeof field !== 'object' || Array.isArray(field)) return field;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(field).sort()) sorted[key] = (field as Record<string, unknown>)[key];
    return sorted;
  });
}

/**
 * Everything in the request that can change the answer, written one way. `user` is left out: it
 * labels the caller for the provider's abuse monitoring, it does not change what the model says
 * (isolation between callers is `scope`'s job). `n: 1` is the default and `stop: "x"` means
 * `["x"]`, so each is written in one form.
 */
export function normalizedRequest(request: ModelRequest): Omit<ModelRequest, 'user' | 'stop'> & {
  stop?: string[];
} {
  const { user: _user, n, stop, ...rest } = request;
  return {
    ...rest,
    ...(n === undefined || n === 1 ? {} : { n }),
    ...(stop === undefined ? {} : { stop: typeof stop === 'string' ? [stop] : stop }),
  };
}

/** The entry's key: sha256 (hex) of the canonical JSON of namespace, scope, model and normalized request. */
export function cacheKey(input: CacheKeyInput): string {
  const text = canonicalJson({
    version: keyVersion,
    namespace: input.namespace,
    scope: input.scope ?? null,
    model: input.model,
    request: normalizedRequest(input.request),
  });
  return createHash('sha256').update(text).digest('hex');
}
