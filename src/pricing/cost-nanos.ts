import type { Usage } from '../providers/types.js';
import type { ComponentPrices, ModelPrice } from './model-price.js';
import { divideRounded, scaledInteger } from './money.js';

/*
 * Prices become integers once, when first used: femto-dollars (1e-15 USD) per token, which is
 * USD per 1M tokens × 10^9, exact for prices with up to nine decimals. A call's cost is then a
 * sum of integer products, divided down to nano-dollars and rounded half-up once at the end.
 */

const femtoPerNano = 1_000_000n;
const tokenShift = 9;
// USD per 1,000 requests × 10^12 = femto-dollars per request.
const requestShift = 12;

interface CompiledComponents {
  input: bigint;
  output: bigint;
  cachedInput: bigint;
  cacheWrite: bigint;
  reasoning: bigint | undefined;
  perRequest: bigint;
}

interface CompiledPrice {
  base: CompiledComponents;
  /** Ascending by threshold. */
  tiers: Array<{ aboveInputTokens: number; components: CompiledComponents }>;
}

const compiled = new WeakMap<ModelPrice, CompiledPrice>();

function compileComponents(price: ComponentPrices): CompiledComponents {
  const input = scaledInteger(price.input, tokenShift);
  return {
    input,
    output: scaledInteger(price.output, tokenShift),
    cachedInput: price.cachedInput === undefined ? input : scaledInteger(price.cachedInput, tokenShift),
    cacheWrite: price.cacheWrite === undefined ? input : scaledInteger(price.cacheWrite, tokenShift),
    reasoning: price.reasoning === undefined ? undefined : scaledInteger(price.reasoning, tokenShift),
    perRequest:
      price.perThousandRequests === undefined ? 0n : scaledInteger(price.perThousandRequests, requestShift),
  };
}

function compile(price: ModelPrice): CompiledPrice {
  let result = compiled.get(price);
  if (result === undefined) {
    const tiers = [...(price.tiers ?? [])].sort((a, b) => a.aboveInputTokens - b.aboveInputTokens);
    result = {
      base: compileComponents(price),
      // A tier replaces only what it lists; the rest, and the fallbacks, come from the base.
      tiers: tiers.map(({ aboveInputTokens, ...listed }) => ({
        aboveInputTokens,
        components: compileComponents({ ...price, ...stripUndefined(listed) }),
      })),
    };
    compiled.set(price, result);
  }
  return result;
}

function stripUndefined(prices: Partial<ComponentPrices>): Partial<ComponentPrices> {
  return Object.fromEntries(Object.entries(prices).filter(([, value]) => value !== undefined));
}

const count = (tokens: number | undefined): number => Math.max(0, Math.trunc(tokens ?? 0));

export interface CostExtra {
  /**
   * Input tokens written to the prompt cache (Anthropic-style), when the provider reports them.
   * Counted as part of `usage.inputTokens`, as genai-prices counts them.
   */
  cacheWriteTokens?: number;
}

/** The cost of one call in integer nano-dollars. */
export function costNanos(usage: Usage, price: ModelPrice, extra: CostExtra = {}): number {
  const { base, tiers } = compile(price);
  const input = count(usage.inputTokens);
  let components = base;
  for (const tier of tiers) if (input > tier.aboveInputTokens) components = tier.components;

  const cached = Math.min(count(usage.cachedInputTokens), input);
  const cacheWrites = Math.min(count(extra.cacheWriteTokens), input - cached);
  const uncached = input - cached - cacheWrites;
  const output = count(usage.outputTokens);
  // Most providers bill reasoning as output: it is only split off when priced apart.
  const reasoning = components.reasoning === undefined ? 0 : Math.min(count(usage.reasoningTokens), output);

  const femto =
    BigInt(uncached) * components.input +
    BigInt(cached) * components.cachedInput +
    BigInt(cacheWrites) * components.cacheWrite +
    BigInt(output - reasoning) * components.output +
    BigInt(reasoning) * (components.reasoning ?? 0n) +
    components.perRequest;
  return Number(divideRounded(femto, femtoPerNano));
}
