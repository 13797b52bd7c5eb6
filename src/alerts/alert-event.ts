import type { AlertLocale } from './alerts-schema.js';

export interface BudgetSnapshot {
  name: string;
  /** `global`, `provider:deepseek`, `model:openai/gpt-4o`... */
  scope: string;
  period: string;
  /** ISO 8601 start of the current period. */
  periodStart: string;
  limitUsd?: number;
  limitTokens?: number;
  mode: 'hard' | 'soft';
}

/** A budget crossed one of its thresholds (a percentage of its limit). */
export interface ThresholdEvent {
  kind: 'threshold';
  budget: BudgetSnapshot;
  /** The threshold crossed, in percent. */
  threshold: number;
  spentUsd: number;
  spentTokens: number;
  /** Spend as a percentage of the limit: of the tighter one when the budget has both. */
  percent: number;
  /** ISO 8601 time of the crossing. */
  at: string;
}

/** `llmkit alerts test`: proves a channel delivers. */
export interface TestEvent {
  kind: 'test';
  at: string;
}

export interface DailySummaryEvent {
  kind: 'daily-summary';
  /** The day summarised, YYYY-MM-DD. */
  date: string;
  totalUsd: number;
  calls: number;
  byModel: Array<{ model: string; usd: number; calls: number }>;
  at: string;
}

export type AlertEvent = ThresholdEvent | TestEvent | DailySummaryEvent;

/** What a channel sends: the event, and the same event written for people in the configured language. */
export interface AlertMessage {
  event: AlertEvent;
  locale: AlertLocale;
  title: string;
  text: string;
}
