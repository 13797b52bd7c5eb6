import { calcPrice, findProvider, waitForUpdate } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { dataPriceAt, findDataModel, findDataProvider } from './price-data-match.js';
import { type DataProvider, providerListSchema } from './price-data-schema.js';

// The bundled genai-prices data, read through llmkit's schema: it must accept all of it.
const raw = (await waitForUpdate()) ?? [];
const providers: DataProvider[] = providerListSchema.parse(raw);
const byId = (id: string) => providers.find((provider) => provider.id === id);

function equalsIds(logic: unknown): string[] {
  if (typeof logic !== 'object' || logic === null) return [];
  const record = logic as Record<string, unknown>;
  if (typeof record['equals'] === 'string') return [record['equals']];
  if (typeof record['starts_with'] === 'string') return [`${record['starts_with']}-suffix`];
  const inner = record['or'] ?? record['and'];
  return Array.isArray(inner) ? inner.flatMap(equalsIds) : [];
}

const moments = [
  '2024-01-01T03:00:00Z',
  '2026-11-24T02:00:00Z',
  '2026-11-24T12:00:00Z',
  '2027-06-01T20:00:00Z',
];

describe('llmkit resolves genai-prices data as calcPrice does', () => {
  it('accepts every bundled provider', () => {
    expect(providers.length).toBe(raw.length);
    expect(providers.length).toBeGreaterThan(20);
  });

  it('finds the same model and the same price in force for every bundled model id', () => {
    let compared = 0;
    for (const provider of providers) {
      for (const model of provider.models) {
        const ids = new Set([model.id, ...equalsIds(model.match), `${model.id}-20240806`]);
        for (const id of ids) {
          for (const moment of moments) {
            const at = new Date(moment);
            let expected: ReturnType<typeof calcPrice>;
            try {
              expected = calcPrice({ input_tokens: 0, output_tokens: 0 }, id, {
                providerId: provider.id,
                timestamp: at,
              });
            } catch {
              continue; // A price genai-prices itself cannot evaluate (unmetered keys only).
            }
            const found = findDataModel(provider, id, byId);
            expect(found?.id, `${provider.id} ${id}`).toBe(expected?.model.id);
            if (found && expected)
              expect(JSON.parse(JSON.stringify(dataPriceAt(found, at)))).toEqual(
                JSON.parse(JSON.stringify(expected.model_price)),
              );
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('finds providers by id, by provider_match and by model_match', () => {
    expect(findDataProvider(providers, { providerId: 'OpenAI' })?.id).toBe('openai');
    expect(findDataProvider(providers, { providerId: 'my-openai-proxy' })?.id).toBe('openai');
    expect(findDataProvider(providers, { modelId: 'deepseek-chat' })?.id).toBe('deepseek');
    expect(findDataProvider(providers, { providerId: 'nobody' })).toBeUndefined();
  });

  it('finds providers by API URL as findProvider does', () => {
    const urls = [
      'https://api.openai.com/v1',
      'https://api.together.xyz/v1',
      'https://my-resource.openai.azure.com/openai/deployments/gpt-4o',
      'https://api.deepseek.com',
      'https://openrouter.ai/api/v1',
      'http://127.0.0.1:8000/v1',
    ];
    for (const url of urls)
      expect(findDataProvider(providers, { providerApiUrl: url })?.id, url).toBe(
        findProvider({ providerApiUrl: url })?.id,
      );
  });

  it('resolves dated ids written without dashes', () => {
    const openai = byId('openai')!;
    expect(findDataModel(openai, 'gpt-4o-2024-08-06', byId)?.id).toBe(
      calcPrice({ input_tokens: 1, output_tokens: 1 }, 'gpt-4o-2024-08-06', { providerId: 'openai' })?.model
        .id,
    );
    expect(findDataModel(openai, 'gpt-4o-20240806', byId)).toBeDefined();
  });
});
