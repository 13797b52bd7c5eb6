import type { DataModel, DataPrice, DataProvider, MatchLogic, PriceConstraint } from './price-data-schema.js';

/*
 * How genai-prices finds a provider, a model and the price in force, restated over llmkit's
 * validated copy of its data so the bundled data and a downloaded snapshot resolve the same
 * way. Each function mirrors one in genai-prices 0.1.8 (`calcPrice`, `findProvider`);
 * price-data-match.test.ts checks they agree on every bundled model.
 */

export function matches(logic: MatchLogic, text: string): boolean {
  if ('or' in logic) return logic.or.some((inner) => matches(inner, text));
  if ('and' in logic) return logic.and.every((inner) => matches(inner, text));
  const lower = text.toLowerCase();
  if ('equals' in logic) return lower === logic.equals.toLowerCase();
  if ('starts_with' in logic) return lower.startsWith(logic.starts_with.toLowerCase());
  if ('ends_with' in logic) return lower.endsWith(logic.ends_with.toLowerCase());
  if ('contains' in logic) return lower.includes(logic.contains.toLowerCase());
  // genai-prices applies regexes to the id as given: they are case-sensitive.
  return new RegExp(logic.regex).test(text);
}

export interface ProviderQuery {
  providerId?: string;
  /** The API's base URL, tested against each provider's `api_pattern`. */
  providerApiUrl?: string;
  modelId?: string;
}

/** A provider by id (or its `provider_match`), else by API URL, else the first whose `model_match` fits the model. */
export function findDataProvider(
  providers: readonly DataProvider[],
  options: ProviderQuery,
): DataProvider | undefined {
  if (options.providerId !== undefined) {
    const id = options.providerId.toLowerCase().trim();
    return (
      providers.find((provider) => provider.id === id) ??
      providers.find((provider) => provider.provider_match && matches(provider.provider_match, id))
    );
  }
  if (options.providerApiUrl !== undefined) {
    const url = options.providerApiUrl;
    return providers.find(
      (provider) =>
        provider.api_pattern !== undefined && new RegExp(`^(?:${provider.api_pattern})`).test(url),
    );
  }
  if (options.modelId === undefined) return undefined;
  const modelId = options.modelId;
  return providers.find((provider) => provider.model_match && matches(provider.model_match, modelId));
}

const compactDate = /(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

/** `gpt-4o-20240806` -> `gpt-4o-2024-08-06`: providers write dated ids both ways. */
function dashedDates(modelId: string): string {
  return modelId.replace(compactDate, (whole, dash: string, year: string, month: string, day: string) => {
    const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    const real = date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
    return real ? `${dash}${year}-${month}-${day}` : whole;
  });
}

function modelIn(
  provider: DataProvider,
  modelId: string,
  byId: ((id: string) => DataProvider | undefined) | undefined,
): DataModel | undefined {
  const found = provider.models.find((model) => matches(model.match, modelId));
  if (found || byId === undefined) return found;
  // Azure and friends resell other vendors' models: their prices live with the vendor.
  for (const fallbackId of provider.fallback_model_providers ?? []) {
    const fallback = byId(fallbackId);
    const model = fallback && modelIn(fallback, modelId, undefined);
    if (model) return model;
  }
  return undefined;
}

/** The provider's model for an id, trying the id as given, then with its date dashed. */
export function findDataModel(
  provider: DataProvider,
  modelId: string,
  byId: (id: string) => DataProvider | undefined,
): DataModel | undefined {
  const id = modelId.toLowerCase().trim();
  const found = modelIn(provider, id, byId);
  if (found) return found;
  const dashed = dashedDates(id);
  return dashed === id ? undefined : modelIn(provider, dashed, byId);
}

/** Seconds since midnight UTC of `12:30:00Z` or `20:30:00+08:00`. */
function secondsOfDay(clock: string): number {
  const parts = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(clock);
  if (!parts) throw new Error(`not a time of day: ${clock}`);
  const [, hours, minutes, seconds, fraction = '', zone, sign, zoneHours = '0', zoneMinutes = '0'] = parts;
  const local = Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds) + Number(`0.${fraction}`);
  const offset =
    zone === 'Z' ? 0 : (sign === '+' ? 1 : -1) * (Number(zoneHours) * 60 + Number(zoneMinutes)) * 60;
  return (local - offset + 86_400) % 86_400;
}

function inForce(constraint: PriceConstraint, at: Date): boolean {
  if ('start_date' in constraint) return at >= new Date(constraint.start_date);
  const now =
    at.getUTCHours() * 3600 + at.getUTCMinutes() * 60 + at.getUTCSeconds() + at.getUTCMilliseconds() / 1000;
  const start = secondsOfDay(constraint.start_time);
  const end = secondsOfDay(constraint.end_time);
  // A window may wrap midnight (16:30 to 00:30).
  return end < start ? now >= start || now < end : now >= start && now < end;
}

/** The model's price at `at`: the last listed price whose constraint holds, else the first. */
export function dataPriceAt(model: DataModel, at: Date): DataPrice {
  if (!Array.isArray(model.prices)) return model.prices;
  for (let index = model.prices.length - 1; index >= 0; index--) {
    const entry = model.prices[index]!;
    if (entry.constraint === undefined || inForce(entry.constraint, at)) return entry.prices;
  }
  return model.prices[0]!.prices;
}
