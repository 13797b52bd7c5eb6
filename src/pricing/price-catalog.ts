import { findProvider } from '@pydantic/genai-prices';
import { findDataProvider, type ProviderQuery } from './price-data-match.js';
import { type DataProvider, dataProviderSchema } from './price-data-schema.js';

/** A set of providers in the genai-prices format: the bundled data or a downloaded snapshot. */
export interface PriceCatalog {
  /** By id or `provider_match`, else by `api_pattern`, else by `model_match`: the first option given decides. */
  provider(options: ProviderQuery): DataProvider | undefined;
  byId(id: string): DataProvider | undefined;
}

export function listCatalog(providers: readonly DataProvider[]): PriceCatalog {
  return {
    provider: (options) => findDataProvider(providers, options),
    byId: (id) => providers.find((provider) => provider.id === id),
  };
}

const parsed = new WeakMap<object, DataProvider | null>();

/** The data bundled with genai-prices, read through its own `findProvider`, one provider at a time. */
function validated(provider: object | undefined): DataProvider | undefined {
  if (provider === undefined) return undefined;
  let result = parsed.get(provider);
  if (result === undefined) {
    const checked = dataProviderSchema.safeParse(provider);
    result = checked.success ? checked.data : null;
    parsed.set(provider, result);
  }
  return result ?? undefined;
}

export const bundledCatalog: PriceCatalog = {
  provider: (options) => validated(findProvider(options)),
  byId: (id) => validated(findProvider({ providerId: id })),
};
