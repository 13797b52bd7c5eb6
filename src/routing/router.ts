import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AttemptRecord, CallTarget } from '../pipeline/call-context.js';
import type { CircuitState } from './circuit-breaker.js';
import { registerCircuitGauge } from './circuit-metrics.js';
import { type CompiledRoute, compileRoutes, type Target, type Upstream } from './compile-routes.js';
import { plannedTarget, RouteSelection } from './route-selection.js';
import type { RouteConfig, RoutingSettings } from './routes-schema.js';

/** One target of one route as `client.targets()` (and the gateway's `/admin/targets`) shows it. */
export interface TargetHealth {
  route: string;
  /** `provider/model`, plus `#VARIABLE` when the target has its own key variable. */
  target: string;
  provider: string;
  model: string;
  apiKeyEnv: string | null;
  /** `target` for the route's weighted targets, `fallback` for a `provider/model` fallback. */
  role: 'target' | 'fallback';
  weight: number;
  state: CircuitState;
  /** Failed attempts within `routing.breaker.windowMs`. */
  recentFailures: number;
  /** ISO time the breaker opened; null while closed. */
  openedAt: string | null;
  /** ISO time an open breaker lets a probe through; null while closed. */
  probeAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
  /** Attempts sent to this upstream since the client was made, and those that failed. */
  calls: number;
  failures: number;
}

export interface RouterOptions {
  routes: Readonly<Record<string, RouteConfig>>;
  routing: RoutingSettings;
  aliases: Readonly<Record<string, string>>;
  /** The model of calls that name none; a route's name makes every such call routed. */
  defaultModel: string | undefined;
  /** Builds the call target of an upstream: its provider, with the key of `apiKeyEnv` when given. */
  build(provider: string, model: string, apiKeyEnv: string | undefined): CallTarget;
  logger: Logger;
  /** Metrics registry that gets `llmkit_circuit_state`. */
  registry?: Registry;
  /** [0, 1); Math.random by default. */
  random?: () => number;
}

/**
 * Routes by name, and the health of their targets. Made once per client, and only when routes
 * are configured: a call to a plain `provider/model` never reaches it beyond one map lookup.
 */
export class Router {
  private readonly routes: Map<string, CompiledRoute>;
  private readonly random: () => number;

  constructor(private readonly options: RouterOptions) {
    this.random = options.random ?? Math.random;
    const compiled = compileRoutes(options.routes, options.routing.breaker);
    this.routes = new Map(compiled);
    // An alias may lead to a route (`chat` -> `fast`): the alias then names the route too.
    for (const alias of Object.keys(options.aliases)) {
      const seen = new Set<string>();
      let name = alias;
      while (Object.hasOwn(options.aliases, name) && !seen.has(name)) {
        seen.add(name);
        name = options.aliases[name]!;
      }
      const route = compiled.get(name);
      if (route) this.routes.set(alias, route);
    }
    if (options.registry) registerCircuitGauge(options.registry, () => this.targets());
  }

  /** The route a model name (or, for undefined, the default model) names, if it is one. */
  route(modelName: string | undefined): CompiledRoute | undefined {
    const name = modelName?.trim() || this.options.defaultModel;
    return name === undefined ? undefined : this.routes.get(name);
  }

  /** The target a call of `route` would try first, without claiming it. */
  plan(route: CompiledRoute): Upstream {
    return plannedTarget(route, Date.now(), this.random).upstream;
  }

  /** A call's walk through the route's targets. */
  select(route: CompiledRoute): RouteSelection {
    return new RouteSelection(route, this.random);
  }

  /** The provider, model and language model of an upstream, built once. */
  callTarget(upstream: Upstream): CallTarget {
    upstream.callTarget ??= this.options.build(upstream.provider, upstream.model, upstream.apiKeyEnv);
    return upstream.callTarget;
  }

  /**
   * Feeds the breaker and counters of `target` with the attempts a call made there. An attempt
   * fails the breaker when its error is retryable (5xx, 429, connection, stream cut) or a
   * timeout; a 400 or an abort says nothing about the upstream's health.
   */
  report(target: Target, probe: boolean, attempts: readonly AttemptRecord[], from: number): void {
    const upstream = target.upstream;
    const breaker = upstream.breaker;
    let verdict = false;
    for (let index = from; index < attempts.length; index++) {
      const attempt = attempts[index]!;
      upstream.calls++;
      if (attempt.status === 'ok') {
        breaker.succeeded(probe);
        verdict = true;
        continue;
      }
      const error = attempt.error;
      if (attempt.status !== 'error' || !error || !(error.retryable || error.code === 'timeout')) continue;
      const now = Date.now();
      upstream.failures++;
      upstream.lastError = { code: error.code, message: error.detail, at: now };
      verdict = true;
      if (breaker.failed(now, probe)) {
        this.options.logger.warn(
          {
            event: 'circuit-open',
            route: target.route,
            target: target.id,
            error: error.code,
            cooldownMs: this.options.routing.breaker.cooldownMs,
          },
          `circuit breaker of ${target.id} opened after ${probe ? 'a failed probe' : 'repeated failures'}: calls skip it for ${this.options.routing.breaker.cooldownMs} ms`,
        );
      }
    }
    if (!verdict) breaker.released(probe);
  }

  /** Every target of every route with its breaker state and counters. */
  targets(): TargetHealth[] {
    const now = Date.now();
    const rows: TargetHealth[] = [];
    const listed = new Set<CompiledRoute>();
    for (const route of this.routes.values()) {
      if (listed.has(route)) continue;
      listed.add(route);
      for (const target of route.entries) rows.push(health(target, now));
    }
    return rows;
  }
}

function health(target: Target, now: number): TargetHealth {
  const { upstream } = target;
  const { breaker, lastError } = upstream;
  const openedAt = breaker.openedSince;
  const probeAt = breaker.reopensAt();
  return {
    route: target.route,
    target: target.id,
    provider: upstream.provider,
    model: upstream.model,
    apiKeyEnv: upstream.apiKeyEnv ?? null,
    role: target.role,
    weight: target.weight,
    state: breaker.state(now),
    recentFailures: breaker.recentFailures(now),
    openedAt: openedAt === undefined ? null : new Date(openedAt).toISOString(),
    probeAt: probeAt === undefined ? null : new Date(probeAt).toISOString(),
    lastError: lastError
      ? { code: lastError.code, message: lastError.message, at: new Date(lastError.at).toISOString() }
      : null,
    calls: upstream.calls,
    failures: upstream.failures,
  };
}
