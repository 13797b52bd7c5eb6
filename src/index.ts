export {
  type AlertChannel,
  AlertDeliveryError,
  AlertDispatcher,
  type AlertEvent,
  type AlertsConfig,
  createAlertDispatcher,
  createChannels,
  type DeliveryResult,
  formatAlert,
} from './alerts/index.js';
export type {
  BatchItem,
  BatchOptions,
  BatchProgress,
  BatchResult,
  BatchValue,
} from './batch/types.js';
export { periodWindow } from './budget/budget-period.js';
export type { BudgetConfig, BudgetSettings } from './budget/budget-schema.js';
export type {
  BudgetLine,
  BudgetStore,
  LineState,
  Reservation,
  ReserveOutcome,
} from './budget/budget-store.js';
export {
  type ActiveBudget,
  type BudgetStatusRow,
  Budgets,
  type ThresholdCrossing,
} from './budget/budgets.js';
export { openBudgetStore } from './budget/open-budget-store.js';
export { openRedisBudgetStore } from './budget/redis-budget-store.js';
export { openSqliteBudgetStore } from './budget/sqlite-budget-store.js';
export { BudgetStoreUnavailableError } from './budget/store-unavailable-error.js';
export type { CallOptions, Prompt } from './client/call-options.js';
export { LLMClient, type LLMClientOptions } from './client/llm-client.js';
export { LlmStream, type StreamEvent } from './client/llm-stream.js';
export type { OpenCall } from './client/open-call.js';
export {
  type ConfigSource,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
} from './config/load-config.js';
export { type PresetName, presets } from './config/presets.js';
export { type ModelTarget, resolveModel } from './config/resolve-model.js';
export * from './errors/index.js';
export { type TroubleshootingRow, troubleshooting } from './errors/troubleshooting.js';
// The gateway (fastify) is `llmkit/gateway`, so importing the library does not load a server.
export type { GatewaySettings } from './gateway/gateway-schema.js';
export { type CompiledRule, compileRule, type Decision, Guard } from './guard/guard.js';
export type { GuardAction, GuardRuleConfig } from './guard/guard-schema.js';
export * from './guard/index.js';
export * from './ledger/index.js';
export { createLogger, type LoggerOptions } from './logging/logger.js';
export { Metrics } from './metrics/metrics.js';
export type {
  AttemptRecord,
  CacheRequest,
  CallMetadata,
  CallRecord,
  GenerateResult,
  KeyPolicy,
  Preflight,
  Timeouts,
  UsageSource,
} from './pipeline/call-context.js';
export {
  type ComponentPrices,
  costNanos,
  formatUsd,
  type ModelLimits,
  type ModelPrice,
  nanosPerUsd,
  PriceBook,
  type PriceInfo,
  type PriceSource,
  type PriceTier,
  usdToNanos,
} from './pricing/index.js';
export type { LanguageModel, LanguageModelV1 } from './providers/language-model.js';
export {
  createOpenAICompatibleProvider,
  type OpenAICompatibleSettings,
} from './providers/openai-compatible/index.js';
export type { ModelInfo, Provider, StructuredOutputMode } from './providers/provider.js';
export type * from './providers/types.js';
export { type RetryDecision, type RetryOptions, retryDecision } from './retry/retry-policy.js';
export { parseRetryAfterMs, readServerHints, type ServerHints } from './retry/server-hints.js';
export type { CircuitState } from './routing/circuit-breaker.js';
export type { TargetHealth } from './routing/router.js';
export { createSseParser, type SseEvent, type SseParserOptions } from './streams/index.js';
export type {
  ObjectOptions,
  ObjectResult,
} from './structured/generate-object.js';
export type { InferSchema, JsonSchema, SchemaInput } from './structured/object-schema.js';
export type { ObjectStream, PartialObject } from './structured/stream-object.js';
export { countTextTokens, countTokens, type Encoding, encodingFor, type TokenCount } from './tokens/index.js';
export { type Tool, type ToolContext, type ToolSet, tool } from './tools/tool.js';
export type { StepResult, ToolLoopResult, ToolResult } from './tools/tool-loop.js';
export type { SummaryOptions, UsageLedger } from './usage/usage-ledger.js';
export { groupings, type Period, periods } from './usage/usage-period.js';
