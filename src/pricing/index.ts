export { type CostExtra, costNanos } from './cost-nanos.js';
export { type LlmkitPriceEntry, llmkitPrices } from './data/llmkit-prices.js';
export type {
  ComponentPrices,
  ModelLimits,
  ModelPrice,
  PriceInfo,
  PriceSource,
  PriceTier,
} from './model-price.js';
export { formatUsd, nanosPerUsd, usdToNanos } from './money.js';
export { PriceBook, type PriceBookOptions } from './price-book.js';
export { parsePriceData, readPriceSnapshot, snapshotPath, writePriceSnapshot } from './price-snapshot.js';
export {
  defaultPriceDataURL,
  type UpdatedSnapshot,
  type UpdatePriceSnapshotOptions,
  updatePriceSnapshot,
} from './update-price-snapshot.js';
