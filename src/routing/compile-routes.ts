import { ConfigError } from '../errors/index.js';
import type { CallTarget } from '../pipeline/call-context.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { BreakerSettings, RouteConfig } from './routes-schema.js';

/**
 * One upstream: a provider, a model and the key it is called with. Its breaker and counters are
 * shared by every route that lists it, since they describe the upstream, not the route.
 */
export class Upstream {
  readonly breaker: CircuitBreaker;
  /** Attempts sent, and those that failed with a retryable error or a timeout. */
  calls = 0;
  failures = 0;
  lastError: { code: string; message: string; at: number } | undefined;
  /** Built on first use, then reused by every call. */
  callTarget: CallTarget | undefined;

  constructor(
    readonly provider: string,
    readonly model: string,
    readonly apiKeyEnv: string | undefined,
    breaker: BreakerSettings,
  ) {
    this.breaker = new CircuitBreaker(breaker);
  }
}

/** An entry of a route: an upstream with its weight there. */
export interface Target {
  readonly route: string;
  /** `provider/model`, plus `#VARIABLE` when the target has its own key variable. */
  readonly id: string;
  readonly role: 'target' | 'fallback';
  readonly weight: number;
  readonly upstream: Upstream;
}

/** Targets tried together: the route's own (by weight), or one fallback. */
export interface TargetGroup {
  readonly targets: readonly Target[];
}

export interface CompiledRoute {
  readonly name: string;
  /** The route's targets, then each fallback in order, a fallback route's groups inlined. */
  readonly groups: readonly TargetGroup[];
  /** Its own targets and plain fallbacks, for the health view. */
  readonly entries: readonly Target[];
  readonly maxRetriesPerTarget: number | undefined;
}

/**
 * Turns the `routes` config into ready-made groups, once, so a call only walks arrays. A target
 * already listed earlier in a route's chain (a fallback route sharing a target) is dropped from
 * the later group: a call never sends the same upstream two chances.
 */
export function compileRoutes(
  routes: Readonly<Record<string, RouteConfig>>,
  breaker: BreakerSettings,
): Map<string, CompiledRoute> {
  const upstreams = new Map<string, Upstream>();
  const upstream = (model: string, apiKeyEnv: string | undefined) => {
    const key = `${model}#${apiKeyEnv ?? ''}`;
    let found = upstreams.get(key);
    if (!found) {
      const slash = model.indexOf('/');
      found = new Upstream(model.slice(0, slash), model.slice(slash + 1), apiKeyEnv, breaker);
      upstreams.set(key, found);
    }
    return found;
  };
  const own = new Map<string, { targets: Target[]; fallbacks: Array<Target | string> }>();
  for (const [name, route] of Object.entries(routes)) {
    const targets = route.targets.map(
      (entry): Target => ({
        route: name,
        id: entry.apiKeyEnv === undefined ? entry.model : `${entry.model}#${entry.apiKeyEnv}`,
        role: 'target',
        weight: entry.weight,
        upstream: upstream(entry.model, entry.apiKeyEnv),
      }),
    );
    const fallbacks = route.fallbacks.map((entry): Target | string =>
      entry.includes('/')
        ? { route: name, id: entry, role: 'fallback', weight: 1, upstream: upstream(entry, undefined) }
        : entry,
    );
    own.set(name, { targets, fallbacks });
  }

  const chains = new Map<string, Target[][]>();
  const chainOf = (name: string, visiting: readonly string[]): Target[][] => {
    const known = chains.get(name);
    if (known) return known;
    const route = own.get(name);
    // The config check refuses unknown fallback routes and cycles; this guards a hand-made config.
    if (!route || visiting.includes(name)) {
      throw new ConfigError(
        `routes.${visiting.at(-1) ?? name}.fallbacks: route "${name}" cannot be used here`,
      );
    }
    const chain: Target[][] = [route.targets];
    for (const fallback of route.fallbacks) {
      if (typeof fallback === 'string') chain.push(...chainOf(fallback, [...visiting, name]));
      else chain.push([fallback]);
    }
    chains.set(name, chain);
    return chain;
  };

  const compiled = new Map<string, CompiledRoute>();
  for (const [name, route] of Object.entries(routes)) {
    const seen = new Set<Upstream>();
    const groups: TargetGroup[] = [];
    for (const group of chainOf(name, [])) {
      const fresh = group.filter((target) => !seen.has(target.upstream));
      for (const target of fresh) seen.add(target.upstream);
      if (fresh.length > 0) groups.push({ targets: fresh });
    }
    const parts = own.get(name)!;
    compiled.set(name, {
      name,
      groups,
      entries: [...parts.targets, ...parts.fallbacks.filter((entry) => typeof entry !== 'string')],
      maxRetriesPerTarget: route.maxRetriesPerTarget,
    });
  }
  return compiled;
}
