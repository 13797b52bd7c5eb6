/** `llmkit/gateway`: the OpenAI-compatible server of `llmkit serve`, to embed in your own process. */
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export { GatewayError } from './gateway-errors.js';
export type { GatewaySettings } from './gateway-schema.js';
export {
  type GatewayKey,
  KeyStore,
  KeyStoreError,
  type KeyStoreOptions,
  type NewKey,
} from './keys/key-store.js';
