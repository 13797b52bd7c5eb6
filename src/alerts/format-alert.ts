import type { AlertEvent, DailySummaryEvent, ThresholdEvent } from './alert-event.js';
import type { AlertLocale } from './alerts-schema.js';

export interface FormattedAlert {
  /** One line: a chat preview, an email subject, an SMS. */
  title: string;
  /** The title's details, several lines of plain text. */
  text: string;
}

/** `$16.00`, `$1,234.50`, `$0.0042`: at least two decimals, more only when a cent would hide the amount. */
export function formatAmount(usd: number): string {
  const sign = usd < 0 ? '-' : '';
  const [whole = '0', fraction = ''] = Math.abs(usd).toFixed(6).replace(/0+$/, '').split('.');
  return `${sign}$${Number(whole).toLocaleString('en-US')}.${fraction.padEnd(2, '0')}`;
}

function formatCount(count: number): string {
  return Math.round(count).toLocaleString('en-US');
}

/** Rounded down, so 99.96% of a limit never reads as 100%. */
function formatPercent(percent: number): string {
  const floored = Math.floor(percent * 10) / 10;
  return `${Number.isInteger(floored) ? floored : floored.toFixed(1)}%`;
}

/** `$16.00 / $20.00`, or tokens when the budget limits only tokens. */
function spentOfLimit(event: ThresholdEvent, tokensWord: string): string {
  const { budget } = event;
  if (budget.limitUsd !== undefined)
    return `${formatAmount(event.spentUsd)} / ${formatAmount(budget.limitUsd)}`;
  return `${formatCount(event.spentTokens)} / ${formatCount(budget.limitTokens ?? 0)} ${tokensWord}`;
}

function thresholdEnglish(event: ThresholdEvent): FormattedAlert {
  const { budget } = event;
  const exceeded = event.percent >= 100;
  const title = `${exceeded ? 'Budget exceeded' : 'Budget alert'}: ${budget.name} at ${formatPercent(event.percent)} (${spentOfLimit(event, 'tokens')})`;
  const lines = [
    `Budget "${budget.name}" (scope ${budget.scope}, per ${budget.period}) has used ${formatPercent(event.percent)} of its limit, crossing the ${event.threshold}% threshold.`,
  ];
  if (budget.limitUsd !== undefined)
    lines.push(`Spent: ${formatAmount(event.spentUsd)} of ${formatAmount(budget.limitUsd)}`);
  if (budget.limitTokens !== undefined)
    lines.push(`Tokens: ${formatCount(event.spentTokens)} of ${formatCount(budget.limitTokens)}`);
  lines.push(`Period started: ${budget.periodStart}`);
  if (exceeded)
    lines.push(
      budget.mode === 'hard'
        ? 'This is a hard budget: calls that do not fit are refused until the period resets.'
        : 'This is a soft budget: calls continue.',
    );
  lines.push(`At: ${event.at}`);
  return { title, text: lines.join('\n') };
}

function thresholdChinese(event: ThresholdEvent): FormattedAlert {
  const { budget } = event;
  const exceeded = event.percent >= 100;
  const title = `${exceeded ? '预算超限' : '预算提醒'}：${budget.name} 已用 ${formatPercent(event.percent)}（${spentOfLimit(event, 'tokens')}）`;
  const lines = [
    `预算「${budget.name}」（范围 ${budget.scope}，周期 ${budget.period}）已用 ${formatPercent(event.percent)}，超过 ${event.threshold}% 提醒线。`,
  ];
  if (budget.limitUsd !== undefined)
    lines.push(`已花费：${formatAmount(event.spentUsd)}，上限 ${formatAmount(budget.limitUsd)}`);
  if (budget.limitTokens !== undefined)
    lines.push(`已用 tokens：${formatCount(event.spentTokens)}，上限 ${formatCount(budget.limitTokens)}`);
  lines.push(`本周期开始于：${budget.periodStart}`);
  if (exceeded)
    lines.push(
      budget.mode === 'hard'
        ? '这是硬预算：超出的调用将被拒绝，直到周期重置。'
        : '这是软预算：调用不受影响。',
    );
  lines.push(`时间：${event.at}`);
  return { title, text: lines.join('\n') };
}

function summaryEnglish(event: DailySummaryEvent): FormattedAlert {
  const title = `LLM spend on ${event.date}: ${formatAmount(event.totalUsd)} in ${formatCount(event.calls)} calls`;
  const lines = event.byModel.map(
    (row) => `- ${row.model}: ${formatAmount(row.usd)} (${formatCount(row.calls)} calls)`,
  );
  if (lines.length === 0) lines.push('No calls were recorded.');
  return { title, text: [...lines, `At: ${event.at}`].join('\n') };
}

function summaryChinese(event: DailySummaryEvent): FormattedAlert {
  const title = `${event.date} 大模型用量：${formatAmount(event.totalUsd)}，共 ${formatCount(event.calls)} 次调用`;
  const lines = event.byModel.map(
    (row) => `- ${row.model}：${formatAmount(row.usd)}（${formatCount(row.calls)} 次）`,
  );
  if (lines.length === 0) lines.push('当天没有调用记录。');
  return { title, text: [...lines, `时间：${event.at}`].join('\n') };
}

type Formatters = {
  [Kind in AlertEvent['kind']]: (event: Extract<AlertEvent, { kind: Kind }>) => FormattedAlert;
};

const formatters: Record<AlertLocale, Formatters> = {
  en: {
    threshold: thresholdEnglish,
    test: (event) => ({
      title: 'llmkit test alert',
      text: `This is a test alert from llmkit. If you can read it, this channel works.\nAt: ${event.at}`,
    }),
    'daily-summary': summaryEnglish,
  },
  zh: {
    threshold: thresholdChinese,
    test: (event) => ({
      title: 'llmkit 测试提醒',
      text: `这是一条来自 llmkit 的测试提醒，收到即说明该通道配置正确。\n时间：${event.at}`,
    }),
    'daily-summary': summaryChinese,
  },
};

/** The event in words, in English or Chinese. */
export function formatAlert(event: AlertEvent, locale: AlertLocale): FormattedAlert {
  // The table pairs each kind with its formatter; TypeScript cannot correlate the two lookups.
  const format = formatters[locale][event.kind] as (event: AlertEvent) => FormattedAlert;
  return format(event);
}
