export { countTextTokens } from './count-text-tokens.js';
export { type CountTokensOptions, countTokens, type TokenCount } from './count-tokens.js';
export { type Encoding, encodingFor } from './encoding-for.js';
