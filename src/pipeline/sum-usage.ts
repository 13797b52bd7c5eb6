import type { Usage } from '../providers/types.js';

/** Tokens and cost over several calls (repair attempts, tool steps); the cost is null once one call is unpriced. */
export function sumUsage(calls: ReadonlyArray<{ usage: Usage | undefined; costNanos: number | null }>): {
  usage: Usage;
  costNanos: number | null;
} {
  const usage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  let costNanos: number | null = 0;
  for (const call of calls) {
    usage.inputTokens += call.usage?.inputTokens ?? 0;
    usage.outputTokens += call.usage?.outputTokens ?? 0;
    usage.totalTokens += call.usage?.totalTokens ?? 0;
    costNanos = costNanos === null || call.costNanos === null ? null : costNanos + call.costNanos;
  }
  return { usage, costNanos };
}
