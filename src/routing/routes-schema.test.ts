import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';

function load(overrides: Record<string, unknown>) {
  return loadConfig({ envFile: false, env: {}, overrides: { ledger: { enabled: false }, ...overrides } });
}

function problem(overrides: Record<string, unknown>): string {
  try {
    load(overrides);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the config loaded');
}

describe('routes config', () => {
  it('fills the defaults of targets, fallbacks and breakers', () => {
    const { config } = load({ routes: { fast: { targets: [{ model: 'openai/gpt-4o-mini' }] } } });
    expect(config.routes['fast']).toEqual({
      targets: [{ model: 'openai/gpt-4o-mini', weight: 1 }],
      fallbacks: [],
    });
    expect(config.routing.breaker).toEqual({
      enabled: true,
      failureThreshold: 5,
      windowMs: 60_000,
      cooldownMs: 30_000,
    });
  });

  it.each([
    [
      'a target of an unknown provider',
      { routes: { fast: { targets: [{ model: 'opnai/gpt-4o' }] } } },
      'routes.fast.targets.0.model (from flags/options) must name a configured provider: "opnai" is not one; did you mean "openai"?',
    ],
    [
      'a weight of 0',
      { routes: { fast: { targets: [{ model: 'openai/gpt-4o', weight: 0 }] } } },
      'routes.fast.targets.0.weight (from flags/options) must be a number > 0 (got 0)',
    ],
    [
      'no targets',
      { routes: { fast: { targets: [] } } },
      'routes.fast.targets (from flags/options) must list at least one target',
    ],
    [
      'a target that is not provider/model',
      { routes: { fast: { targets: [{ model: 'gpt-4o' }] } } },
      'routes.fast.targets.0.model (from flags/options) must be "provider/model", such as "openai/gpt-4o-mini"',
    ],
    [
      'a misspelt key',
      { routes: { fast: { target: [] } } },
      'routes.fast.target (from flags/options) is not a known setting; did you mean "targets"?',
    ],
    [
      'a route name that is also an alias',
      { aliases: { fast: 'openai/gpt-4o' }, routes: { fast: { targets: [{ model: 'openai/gpt-4o' }] } } },
      'aliases.fast (from flags/options) must not also be a route: routes.fast exists; rename one of them',
    ],
    [
      'a fallback naming no route',
      {
        routes: {
          fast: { targets: [{ model: 'openai/gpt-4o' }], fallbacks: ['slwo'] },
          slow: { targets: [{ model: 'openai/o3' }] },
        },
      },
      'routes.fast.fallbacks.0 (from flags/options) must be "provider/model" or the name of a route under routes; did you mean "slow"?',
    ],
    [
      'a fallback cycle',
      {
        routes: {
          fast: { targets: [{ model: 'openai/gpt-4o' }], fallbacks: ['slow'] },
          slow: { targets: [{ model: 'openai/o3' }], fallbacks: ['fast'] },
        },
      },
      'routes.slow.fallbacks.0 (from flags/options) must not lead back to its own route: "fast" -> "slow" -> "fast" is a cycle',
    ],
    [
      'a breaker threshold of 0',
      { routing: { breaker: { failureThreshold: 0 } } },
      'routing.breaker.failureThreshold (from flags/options) must be a whole number > 0 (got 0)',
    ],
  ])('refuses %s in one line naming the key', (_name, overrides, expected) => {
    const message = problem(overrides);
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });
});
