import type { LoadedConfig } from '../config/load-config.js';
import { resolveApiKey } from '../config/secrets.js';

export interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/**
 * What the gateway serves: routes and aliases by name, and `provider/model` of every provider it
 * can call (a key present, or none needed). A provider with a `models` list serves exactly those;
 * one without serves whatever model its upstream knows, so only the listed ones are advertised.
 */
export class GatewayModels {
  private readonly usable = new Map<string, readonly string[] | undefined>();
  private readonly named = new Map<string, string>();
  readonly entries: ModelEntry[] = [];

  constructor(private readonly loaded: LoadedConfig) {
    const { config } = loaded;
    for (const [name, provider] of Object.entries(config.providers)) {
      let hasKey = !provider.apiKeyRequired;
      if (!hasKey) {
        try {
          hasKey = Boolean(resolveApiKey(name, loaded).value);
        } catch {
          hasKey = false;
        }
      }
      if (hasKey) this.usable.set(name, provider.models);
    }
    for (const name of Object.keys(config.routes)) this.named.set(name, 'llmkit-route');
    for (const name of Object.keys(config.aliases)) this.named.set(name, 'llmkit-alias');
    if (config.defaultModel) this.named.set(config.defaultModel, 'llmkit-default');
    for (const [id, owner] of this.named) this.add(id, owner);
    for (const [provider, models] of this.usable) {
      // Presets list their common models; only a user-configured provider's list is advertised.
      if (!models || !this.configuredModels(provider)) continue;
      for (const model of models) this.add(`${provider}/${model}`, provider);
    }
  }

  /** Why `name` cannot be served, or undefined when it can. */
  problem(name: string): string | undefined {
    if (this.named.has(name)) return undefined;
    const { config } = this.loaded;
    const slash = name.indexOf('/');
    const prefix = slash > 0 ? name.slice(0, slash) : undefined;
    const provider = prefix !== undefined && Object.hasOwn(config.providers, prefix) ? prefix : undefined;
    const target = provider ?? config.defaultProvider;
    const model = provider ? name.slice(slash + 1) : name;
    if (!provider && prefix !== undefined && !this.usable.has(config.defaultProvider)) {
      return `model "${name}" names no configured provider "${prefix}"`;
    }
    if (!this.usable.has(target)) {
      return `model "${name}" needs provider "${target}", which has no API key on this gateway`;
    }
    const listed = this.usable.get(target);
    if (listed && this.configuredModels(target) && !listed.includes(model)) {
      return `model "${name}" is not among provider "${target}"'s models (${listed.join(', ')})`;
    }
    if (model === '') return `model "${name}" names provider "${target}" but no model after the "/"`;
    return undefined;
  }

  private configuredModels(provider: string): boolean {
    const source = this.loaded.sources[`providers.${provider}.models`];
    return source !== undefined && source !== 'preset' && source !== 'default';
  }

  private add(id: string, owner: string): void {
    if (this.entries.some((entry) => entry.id === id)) return;
    this.entries.push({ id, object: 'model', created: 0, owned_by: owner });
  }
}
