import { closestMatch } from '../config/closest-match.js';
import type { RouteConfig } from './routes-schema.js';

/** What the route checks read of the whole config. */
export interface RoutedConfig {
  providers: Readonly<Record<string, unknown>>;
  aliases: Readonly<Record<string, string>>;
  routes: Readonly<Record<string, RouteConfig>>;
}

export type ReportIssue = (path: PropertyKey[], message: string) => void;

// A route name has no `/`, so a fallback with one is a target and one without is a route.
const routeName = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

function providerProblem(model: string, providers: readonly string[]): string | undefined {
  const provider = model.slice(0, model.indexOf('/'));
  if (providers.includes(provider)) return undefined;
  const meant = closestMatch(provider, providers);
  const help = meant === undefined ? `known providers: ${providers.join(', ')}` : `did you mean "${meant}"?`;
  return `must name a configured provider: "${provider}" is not one; ${help}`;
}

/**
 * The checks that need more than one route: targets and fallbacks naming configured providers
 * or existing routes, a target listed twice, a route name that is also an alias, and fallback
 * chains that come back to where they started. Each is reported at the key path to fix.
 */
export function checkRoutes(config: RoutedConfig, report: ReportIssue): void {
  const providers = Object.keys(config.providers);
  const names = Object.keys(config.routes);
  for (const [name, route] of Object.entries(config.routes)) {
    if (!routeName.test(name)) {
      report(
        ['routes', name],
        'must be named with letters, digits, ".", "_", ":" or "-" (a "/" would read as provider/model)',
      );
      continue;
    }
    if (Object.hasOwn(config.aliases, name)) {
      report(['aliases', name], `must not also be a route: routes.${name} exists; rename one of them`);
    }
    const seen = new Set<string>();
    route.targets.forEach((target, index) => {
      const problem = providerProblem(target.model, providers);
      if (problem !== undefined) report(['routes', name, 'targets', index, 'model'], problem);
      const identity = `${target.model}#${target.apiKeyEnv ?? ''}`;
      if (seen.has(identity)) {
        report(
          ['routes', name, 'targets', index],
          'must not repeat another target of the route (same model and apiKeyEnv); raise its weight instead',
        );
      }
      seen.add(identity);
    });
    route.fallbacks.forEach((fallback, index) => {
      const path = ['routes', name, 'fallbacks', index];
      if (fallback.includes('/')) {
        const problem = /^[^/\s]+\/\S+$/.test(fallback)
          ? providerProblem(fallback, providers)
          : 'must be "provider/model" or a route name';
        if (problem !== undefined) report(path, problem);
      } else if (!Object.hasOwn(config.routes, fallback)) {
        const meant = closestMatch(fallback, names);
        const help = meant === undefined ? '' : `; did you mean "${meant}"?`;
        report(path, `must be "provider/model" or the name of a route under routes${help}`);
      }
    });
  }
  reportCycle(config.routes, report);
}

/** Fallback routes form a graph; a cycle would make a call try the same targets forever. */
function reportCycle(routes: Readonly<Record<string, RouteConfig>>, report: ReportIssue): void {
  const done = new Set<string>();
  const visit = (name: string, chain: string[]): boolean => {
    if (done.has(name)) return false;
    const route = routes[name];
    if (route === undefined) return false;
    for (const [index, fallback] of route.fallbacks.entries()) {
      if (fallback.includes('/') || !Object.hasOwn(routes, fallback)) continue;
      const start = chain.indexOf(fallback);
      if (start >= 0) {
        const cycle = [...chain.slice(start), fallback].map((entry) => `"${entry}"`).join(' -> ');
        report(
          ['routes', name, 'fallbacks', index],
          `must not lead back to its own route: ${cycle} is a cycle; end one chain with a provider/model`,
        );
        return true;
      }
      if (visit(fallback, [...chain, fallback])) return true;
    }
    done.add(name);
    return false;
  };
  for (const name of Object.keys(routes)) if (visit(name, [name])) return;
}
