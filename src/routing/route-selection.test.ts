import { describe, expect, it } from 'vitest';
import { compileRoutes } from './compile-routes.js';
import { plannedTarget, RouteSelection } from './route-selection.js';
import type { RouteConfig } from './routes-schema.js';

const breaker = { enabled: true, failureThreshold: 1, windowMs: 60_000, cooldownMs: 30_000 };

function route(routes: Record<string, Partial<RouteConfig> & Pick<RouteConfig, 'targets'>>, name = 'fast') {
  const full = Object.fromEntries(
    Object.entries(routes).map(([key, value]) => [key, { fallbacks: [], ...value } as RouteConfig]),
  );
  return compileRoutes(full, breaker).get(name)!;
}

/** Random numbers from a list, so a test states which pick each draw makes. */
const draws =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0;

const order = (selection: RouteSelection) => {
  const ids: string[] = [];
  for (let candidate = selection.next(0); candidate; candidate = selection.next(0))
    ids.push(candidate.target.id);
  return ids;
};

describe('RouteSelection', () => {
  const weighted = {
    fast: {
      targets: [
        { model: 'a/m', weight: 3 },
        { model: 'b/m', weight: 1 },
      ],
      fallbacks: ['c/m', 'spare'],
    },
    spare: {
      targets: [
        { model: 'd/m', weight: 1 },
        { model: 'a/m', weight: 1 },
      ],
    },
  };

  it('picks the primary by weight, then the other targets, then fallbacks in order', () => {
    // 0.8 of a total weight of 4 falls past `a` (3): `b` is the primary.
    expect(order(new RouteSelection(route(weighted), draws(0.8)))).toEqual(['b/m', 'a/m', 'c/m', 'd/m']);
    expect(order(new RouteSelection(route(weighted), draws(0.7)))).toEqual(['a/m', 'b/m', 'c/m', 'd/m']);
  });

  it('honours the planned target as the first pick', () => {
    const selection = new RouteSelection(route(weighted), draws(0, 0));
    expect(selection.next(0, { provider: 'b', model: 'm' })?.target.id).toBe('b/m');
  });

  it('skips targets whose breaker is open, in planning too', () => {
    const compiled = route(weighted);
    compiled.groups[0]!.targets[0]!.upstream.breaker.failed(0, false);
    expect(order(new RouteSelection(compiled, draws(0)))).toEqual(['b/m', 'c/m', 'd/m']);
    expect(plannedTarget(compiled, 0, draws(0)).id).toBe('b/m');
  });

  it('shares one breaker per upstream across routes', () => {
    const compiled = compileRoutes(
      {
        one: { targets: [{ model: 'a/m', weight: 1 }], fallbacks: [] },
        two: { targets: [{ model: 'a/m', weight: 1 }], fallbacks: ['b/m'] },
      },
      breaker,
    );
    compiled.get('one')!.groups[0]!.targets[0]!.upstream.breaker.failed(0, false);
    expect(order(new RouteSelection(compiled.get('two')!, draws(0)))).toEqual(['b/m']);
  });
});
