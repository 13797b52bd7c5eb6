import type { CompiledRoute, Target, TargetGroup } from './compile-routes.js';

export interface Candidate {
  target: Target;
  /** True when the call is the half-open breaker's single probe. */
  probe: boolean;
}

/** Only targets with this provider and model, when the call was planned for one (pre-flight). */
export interface Preferred {
  provider: string;
  model: string;
}

/**
 * A weighted random pick among the group's targets that are not in `skip` (a bit per index),
 * whose breaker lets a call through and that match `preferred`, if given. -1 when none does.
 */
export function pickWeighted(
  group: TargetGroup,
  skip: number,
  now: number,
  random: () => number,
  preferred?: Preferred,
): number {
  const { targets } = group;
  let total = 0;
  let eligible = 0;
  for (let index = 0; index < targets.length; index++) {
    if (isEligible(targets[index]!, index, skip, now, preferred)) {
      total += targets[index]!.weight;
      eligible |= 1 << index;
    }
  }
  if (eligible === 0) return -1;
  let point = random() * total;
  let last = -1;
  for (let index = 0; index < targets.length; index++) {
    if ((eligible & (1 << index)) === 0) continue;
    last = index;
    point -= targets[index]!.weight;
    if (point < 0) return index;
  }
  // Rounding can leave a sliver of `point`: it belongs to the last eligible target.
  return last;
}

function isEligible(
  target: Target,
  index: number,
  skip: number,
  now: number,
  preferred?: Preferred,
): boolean {
  if ((skip & (1 << index)) !== 0) return false;
  const { upstream } = target;
  if (preferred && (upstream.provider !== preferred.provider || upstream.model !== preferred.model)) {
    return false;
  }
  return upstream.breaker.available(now);
}

/**
 * The order in which one call tries a route's targets: the primary by weight, then the other
 * targets by weight, then each fallback in its listed order. Targets whose breaker is open are
 * skipped, and never come back within the call. Built lazily: a call that succeeds on its first
 * target never orders the rest.
 */
export class RouteSelection {
  private group = 0;
  private tried = 0;

  constructor(
    private readonly route: CompiledRoute,
    private readonly random: () => number,
  ) {}

  next(now: number, preferred?: Preferred): Candidate | undefined {
    for (; this.group < this.route.groups.length; this.group++, this.tried = 0) {
      const group = this.route.groups[this.group]!;
      let index =
        this.group === 0 && preferred ? pickWeighted(group, this.tried, now, this.random, preferred) : -1;
      if (index < 0) index = pickWeighted(group, this.tried, now, this.random);
      if (index < 0) continue;
      this.tried |= 1 << index;
      const target = group.targets[index]!;
      const claim = target.upstream.breaker.acquire(now);
      // `available` said yes, so only a probe claimed in between can refuse: try another.
      if (claim === undefined) return this.next(now);
      return { target, probe: claim === 'probe' };
    }
    return undefined;
  }
}

/** The first target a call of the route would try now, without claiming anything (pre-flight, budgets). */
export function plannedTarget(route: CompiledRoute, now: number, random: () => number): Target {
  for (const group of route.groups) {
    const index = pickWeighted(group, 0, now, random);
    if (index >= 0) return group.targets[index]!;
  }
  // Every breaker is open: the route step will fail fast; plan as if the first target were tried.
  return route.groups[0]!.targets[0]!;
}
