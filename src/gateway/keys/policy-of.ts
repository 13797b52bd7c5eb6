import type { KeyPolicy } from '../../pipeline/call-context.js';
import type { GatewayKey } from './key-store.js';

/** The part of a gateway key the call pipeline enforces: its name, rate limits and budget. */
export function policyOf(key: GatewayKey): KeyPolicy {
  return {
    name: key.name,
    rpm: key.rpm,
    tpm: key.tpm,
    budget: key.budget === undefined ? undefined : { ...key.budget },
  };
}
