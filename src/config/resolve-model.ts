import { ConfigError } from '../errors/index.js';
import { closestMatch } from './closest-match.js';
import type { LlmkitConfig, ProviderConfig } from './config-schema.js';
import { isPresetName, presetFor } from './presets.js';
import { providerConfigOf } from './secrets.js';

/** Whether the provider's own model ids contain `/`, so an unknown prefix is part of the id there. */
function slashedModelIds(provider: string, config: LlmkitConfig): boolean {
  const preset = config.providers[provider]?.preset ?? provider;
  return isPresetName(preset) && presetFor(preset).slashedModelIds === true;
}

export interface ModelTarget {
  provider: string;
  /** The id sent upstream, which may itself contain `/` (`anthropic/claude-3.5-sonnet`). */
  model: string;
  providerConfig: ProviderConfig;
}

function followAliases(name: string, aliases: Readonly<Record<string, string>>): string {
  const chain = [name];
  let current = name;
  for (let target = aliases[current]; target !== undefined; target = aliases[current]) {
    if (chain.includes(target)) {
      const cycle = [...chain, target].map((entry) => `"${entry}"`).join(' -> ');
      throw new ConfigError(`aliases ${cycle} is a cycle; point one of them at a provider/model`);
    }
    chain.push(target);
    current = target;
  }
  return current;
}

/**
 * Turns what a user typed into a provider and model: an alias first (a route stands for its
 * first target), then `provider/model` when the text before the first `/` is a configured
 * provider, else a model of the default provider. Only a known prefix splits, so OpenRouter-style ids (`anthropic/claude-3.5-sonnet`)
 * reach the default provider whole; `openrouter/anthropic/claude-3.5-sonnet` names it explicitly.
 */
export function resolveModel(name: string | undefined, config: LlmkitConfig): ModelTarget {
  const requested = name?.trim() || config.defaultModel;
  if (requested === undefined) {
    throw new ConfigError('no model given and no defaultModel configured', {
      hint: 'pass --model (or the model option), set LLMKIT_MODEL, or set defaultModel in llmkit.config.json',
    });
  }
  let resolved = followAliases(requested, config.aliases);
  // A route stands for its first listed target here (CLI token counts, prices, doctor); calls
  // go through the client's router, which picks by weight and falls back.
  if (Object.hasOwn(config.routes, resolved))
    resolved = config.routes[resolved]?.targets[0]?.model ?? resolved;
  const slash = resolved.indexOf('/');
  const prefix = slash > 0 ? resolved.slice(0, slash) : undefined;
  if (prefix !== undefined && Object.hasOwn(config.providers, prefix)) {
    const model = resolved.slice(slash + 1);
    if (model === '')
      throw new ConfigError(`model "${resolved}" names provider ${prefix} but no model after the "/"`);
    return { provider: prefix, model, providerConfig: providerConfigOf(prefix, { config }) };
  }
  // `deepsek/deepseek-chat` is a typo, not an OpenRouter-style id: refuse it before any request.
  const meant = prefix === undefined ? undefined : closestMatch(prefix, Object.keys(config.providers));
  if (prefix !== undefined && meant !== undefined && !slashedModelIds(config.defaultProvider, config)) {
    throw new ConfigError(
      `unknown provider "${prefix}" in model "${resolved}"; did you mean "${meant}/${resolved.slice(slash + 1)}"?`,
    );
  }
  const provider = config.defaultProvider;
  if (!Object.hasOwn(config.providers, provider)) {
    const known = Object.keys(config.providers).join(', ');
    throw new ConfigError(
      `defaultProvider "${provider}" is not configured; use one of ${known} or add it under providers`,
    );
  }
  return { provider, model: resolved, providerConfig: providerConfigOf(provider, { config }) };
}
