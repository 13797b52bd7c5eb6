import type { Logger } from 'pino';
import { BudgetExceededError, LlmkitError } from '../errors/index.js';
import type { KeyPolicy } from '../pipeline/call-context.js';
import { type PeriodWindow, periodWindow } from './budget-period.js';
import type { BudgetConfig, BudgetSettings } from './budget-schema.js';
import { budgetName, inScope, type ScopeSubject } from './budget-scope.js';
import type { BudgetLine, BudgetStore, LineState } from './budget-store.js';

export interface ActiveBudget {
  budget: BudgetConfig;
  name: string;
  window: PeriodWindow;
  line: BudgetLine;
}

export interface ThresholdCrossing {
  budget: ActiveBudget;
  threshold: number;
  state: LineState;
  percent: number;
}

export interface BudgetStatusRow {
  name: string;
  scope: string;
  period: string;
  mode: 'hard' | 'soft';
  periodStart: string;
  resetsAt: string | null;
  spentUsd: number;
  reservedUsd: number;
  limitUsd: number | null;
  spentTokens: number;
  reservedTokens: number;
  limitTokens: number | null;
  /** Of the tighter limit, spend only; null when no limit applies. */
  percent: number | null;
}

const nanos = (usd: number) => Math.round(usd * 1e9);
// Counters outlive their period by a day, so late settles and `budget status` still find them.
const graceMs = 86_400_000;

/**
 * The budgets of a client: which apply to a call, what their lines are called this period,
 * and which alert thresholds a settled call crossed (each claimed once in the store).
 */
export class Budgets {
  #store: BudgetStore | (() => BudgetStore);
  #opened: BudgetStore | undefined;
  /** Key budgets met in calls, by key name (the latest policy wins): `status` lists them too. */
  readonly #keys = new Map<string, BudgetConfig>();

  /**
   * `store` may be a function: the store is then opened on first use, so a client whose only
   * budgets are callers' key budgets creates no budgets.db until a call carries one.
   */
  constructor(
    readonly configs: readonly BudgetConfig[],
    readonly settings: BudgetSettings,
    store: BudgetStore | (() => BudgetStore),
    private readonly logger: Logger,
  ) {
    this.#store = store;
    if (typeof store !== 'function') this.#opened = store;
  }

  get store(): BudgetStore {
    if (!this.#opened) {
      const open = this.#store as () => BudgetStore;
      this.#opened = open();
      this.#store = this.#opened;
    }
    return this.#opened;
  }

  active(subject: ScopeSubject, now = Date.now()): ActiveBudget[] {
    return this.configs
      .filter((budget) => inScope(budget, subject))
      .map((budget) => this.activate(budget, now));
  }

  /**
   * A caller's key budget (`KeyPolicy.budget`) as one more hard budget, named and scoped
   * `key:<name>`: reserved, refused, settled and alerted on like a configured one, in the same store.
   */
  forKey(policy: KeyPolicy, now = Date.now()): ActiveBudget | undefined {
    if (!policy.budget) return undefined;
    const budget = keyBudgetConfig(policy.name, policy.budget);
    this.#keys.set(policy.name, budget);
    return this.activate(budget, now);
  }

  /** Configured budgets, then the key budgets met in calls and those of `keys`. */
  all(now = Date.now(), keys: readonly KeyPolicy[] = []): ActiveBudget[] {
    const byKey = new Map(this.#keys);
    for (const key of keys) if (key.budget) byKey.set(key.name, keyBudgetConfig(key.name, key.budget));
    return [...this.configs, ...byKey.values()].map((budget) => this.activate(budget, now));
  }

  /** Closes the store if it was ever opened. */
  async close(): Promise<void> {
    await this.#opened?.close();
  }

  refusal(active: ActiveBudget, state: LineState | undefined, worstNanos: number): BudgetExceededError {
    const spentUsd = (state?.spentNanos ?? 0) / 1e9;
    const reservedUsd = (state?.reservedNanos ?? 0) / 1e9;
    // Cents hide what matters on a small budget ($0.008 of $0.01): show more digits there.
    const usd = (value: number) => `$${value.toFixed(limitDigits(active.budget.limitUsd))}`;
    const limit = active.budget.limitUsd;
    const what =
      limit === undefined
        ? `its token limit of ${active.budget.limitTokens}`
        : `${usd(spentUsd)} spent and ${usd(reservedUsd)} reserved of ${usd(limit)}`;
    return new BudgetExceededError(
      `budget "${active.name}" (${active.budget.scope}, per ${active.budget.period}) has no room for this call's worst case of $${(worstNanos / 1e9).toFixed(6)}: ${what}`,
      {
        budget: active.name,
        limitUsd: limit,
        spentUsd,
        resetsAt: Number.isFinite(active.window.end) ? active.window.end : undefined,
      },
    );
  }

  /** Thresholds the lines now stand past that nobody has announced yet (claimed here, once). */
  async crossings(
    active: readonly ActiveBudget[],
    states: readonly LineState[],
  ): Promise<ThresholdCrossing[]> {
    const crossings: ThresholdCrossing[] = [];
    for (const budget of active) {
      const state = states.find((entry) => entry.key === budget.line.key);
      const percent = state ? percentOf(budget.budget, state) : null;
      if (state === undefined || percent === null) continue;
      for (const threshold of [...budget.budget.thresholds].sort((a, b) => a - b)) {
        if (percent < threshold) break;
        try {
          if (await this.store.claimAlert(budget.line.key, threshold)) {
            crossings.push({ budget, threshold, state, percent });
          }
        } catch (error) {
          this.logger.warn({ err: error, budget: budget.name }, 'could not claim a budget alert');
        }
      }
    }
    return crossings;
  }

  /** Every budget's counters this period; `keys` adds those gateway keys' budgets (`llmkit budget status`). */
  async status(now = Date.now(), keys: readonly KeyPolicy[] = []): Promise<BudgetStatusRow[]> {
    const active = this.all(now, keys);
    if (active.length === 0) return [];
    const states = await this.store.state(active.map((budget) => budget.line.key));
    return active.map((budget) => {
      const state = states.find((entry) => entry.key === budget.line.key);
      return {
        name: budget.name,
        scope: budget.budget.scope,
        period: budget.budget.period,
        mode: budget.budget.mode,
        periodStart: new Date(budget.window.start).toISOString(),
        resetsAt: Number.isFinite(budget.window.end) ? new Date(budget.window.end).toISOString() : null,
        spentUsd: (state?.spentNanos ?? 0) / 1e9,
        reservedUsd: (state?.reservedNanos ?? 0) / 1e9,
        limitUsd: budget.budget.limitUsd ?? null,
        spentTokens: state?.spentTokens ?? 0,
        reservedTokens: state?.reservedTokens ?? 0,
        limitTokens: budget.budget.limitTokens ?? null,
        percent: state ? percentOf(budget.budget, state) : 0,
      };
    });
  }

  isUnavailable(error: unknown): boolean {
    return LlmkitError.isInstance(error) && error.code === 'budget_store_unavailable';
  }

  private activate(budget: BudgetConfig, now: number): ActiveBudget {
    const window = periodWindow(budget.period, now, this.settings.timeZone);
    const name = budgetName(budget);
    return {
      budget,
      name,
      window,
      line: {
        key: `${name}|${window.label}`,
        limitNanos: budget.limitUsd === undefined ? null : nanos(budget.limitUsd),
        limitTokens: budget.limitTokens ?? null,
        hard: budget.mode === 'hard',
        expiresAt: Number.isFinite(window.end) ? window.end + graceMs : Number.MAX_SAFE_INTEGER,
      },
    };
  }
}

const keyThresholds = [50, 80, 100];

function keyBudgetConfig(name: string, budget: NonNullable<KeyPolicy['budget']>): BudgetConfig {
  return {
    name: `key:${name}`,
    scope: `key:${name}`,
    period: budget.period,
    limitUsd: budget.limitUsd,
    mode: 'hard',
    onExceed: 'refuse',
    thresholds: keyThresholds,
  };
}

function percentOf(budget: BudgetConfig, state: LineState): number | null {
  const shares: number[] = [];
  if (budget.limitUsd !== undefined && budget.limitUsd > 0)
    shares.push((state.spentNanos / nanos(budget.limitUsd)) * 100);
  if (budget.limitTokens !== undefined) shares.push((state.spentTokens / budget.limitTokens) * 100);
  if (budget.limitUsd === 0) shares.push(state.spentNanos > 0 ? Number.POSITIVE_INFINITY : 0);
  return shares.length === 0 ? null : Math.max(...shares);
}

function limitDigits(limitUsd: number | undefined): number {
  return limitUsd !== undefined && limitUsd > 0 && limitUsd < 1 ? 6 : 2;
}
