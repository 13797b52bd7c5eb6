import type { Dispatcher } from 'undici';
import { type AlertDispatcher, createAlertDispatcher } from '../alerts/create-alert-dispatcher.js';
import { runBatch } from '../batch/run-batch.js';
import type { BatchItem, BatchOptions, BatchResult } from '../batch/types.js';
import { Budgets } from '../budget/budgets.js';
import { openBudgetStore } from '../budget/open-budget-store.js';
import { ResponseCache } from '../cache/response-cache.js';
import { type LoadConfigOptions, type LoadedConfig, loadConfig } from '../config/load-config.js';
import { resolveModel } from '../config/resolve-model.js';
import { Guard } from '../guard/guard.js';
import type { Summary } from '../ledger/index.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { Metrics } from '../metrics/metrics.js';
import type { CallRecord, CallTarget, GenerateResult } from '../pipeline/call-context.js';
import { type NamedStep, runPipeline } from '../pipeline/pipeline.js';
import { budgetStep } from '../pipeline/steps/budget.js';
import { cacheStep } from '../pipeline/steps/cache.js';
import { guardStep } from '../pipeline/steps/guard.js';
import { preflightStep } from '../pipeline/steps/preflight.js';
import { providerStep } from '../pipeline/steps/provider.js';
import { rateLimitStep } from '../pipeline/steps/rate-limit.js';
import { retryStep } from '../pipeline/steps/retry.js';
import { routeStep } from '../pipeline/steps/route.js';
import { settleStep } from '../pipeline/steps/settle.js';
import { PriceBook } from '../pricing/index.js';
import { defaultDispatcher } from '../providers/openai-compatible/transport.js';
import type { Provider } from '../providers/provider.js';
import type { ModelRequest, Usage } from '../providers/types.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { Router, type TargetHealth } from '../routing/router.js';
import { generateObject, type ObjectOptions, type ObjectResult } from '../structured/generate-object.js';
import type { InferSchema, SchemaInput } from '../structured/object-schema.js';
import { type ObjectStream, type ObjectStreamCaller, streamObject } from '../structured/stream-object.js';
import { countTextTokens, countTokens, encodingFor } from '../tokens/index.js';
import { isToolSet, type ToolSet } from '../tools/tool.js';
import { runToolLoop, type ToolLoopResult } from '../tools/tool-loop.js';
import { type SummaryOptions, UsageLedger } from '../usage/usage-ledger.js';
import { batchCaller } from './batch-caller.js';
import { buildProvider } from './build-provider.js';
import { buildRequest, type CallOptions, type Prompt } from './call-options.js';
import { LlmStream } from './llm-stream.js';
import { objectCaller } from './object-caller.js';
import { type ContextServices, newCallContext, type OpenCall, openCall, recordRefusal } from './open-call.js';
import { RunningTotals } from './running-totals.js';
import { settleSinks } from './settle-sinks.js';

export interface LLMClientOptions extends LoadConfigOptions {
  /** An already loaded config (the CLI loads it once); otherwise loaded from `cwd`/env. */
  config?: LoadedConfig;
  /** Default model for calls that name none (`deepseek/deepseek-chat`, an alias...). */
  model?: string;
  logger?: Logger;
  /** An undici dispatcher (proxy, mock pool...); a shared keep-alive Agent by default. */
  dispatcher?: Dispatcher;
  /** Called with every finished call, after logging and the ledger. */
  onCall?: (record: CallRecord) => void;
  /**
   * Your own adapters (see `LanguageModelV1`), by provider name: `my-llm/some-model` then runs
   * through the same pipeline (retries, timeouts, ledger) as the built-in providers.
   */
  providers?: Record<string, Provider>;
}

/**
 * The library surface. Every call runs one pipeline: settle ( guard → pre-flight → budget →
 * rate limit → cache → route → retry → provider ). A feature lives in one step, never here.
 */
export class LLMClient {
  readonly config: LoadedConfig;
  readonly logger: Logger;
  /** Spend and usage recorded in the ledger; undefined when `ledger.enabled` is false. */
  readonly ledger: UsageLedger | undefined;
  /**
   * The configured budgets, callers' key budgets, and their store. Without configured budgets the
   * store is opened by the first call with a key budget, so plain clients create no budgets.db.
   */
  readonly budgets: Budgets;
  /** Prometheus metrics of this client's calls (guard decisions...); the gateway serves them. */
  readonly metrics = new Metrics();
  /** The configured guard rules; undefined when none is configured. */
  readonly guard: Guard | undefined;
  private readonly alerts: AlertDispatcher;
  private readonly responseCache: ResponseCache;
  private readonly pendingSettles = new Set<Promise<void>>();
  private readonly rateLimiter: RateLimiter;
  private stopDailySummary: (() => void) | undefined;
  private readonly runningTotals = new RunningTotals();
  private readonly providers = new Map<string, Provider>();
  /** Providers built with a route target's own key variable, by `name` + variable. */
  private readonly keyedProviders = new Map<string, Provider>();
  /** Set only when routes are configured: plain models never pay for routing. */
  private readonly router: Router | undefined;
  private readonly prices: PriceBook;
  private readonly steps: NamedStep[];
  private readonly defaultModel: string | undefined;
  private readonly dispatcher: Dispatcher | undefined;

  constructor(options: LLMClientOptions = {}) {
    this.config = options.config ?? loadConfig(options);
    const settings = this.config.config;
    const { log } = settings;
    this.logger =
      options.logger ??
      createLogger({
        level: log.level,
        file: log.file,
        // LLMKIT_DEBUG=http is asked for on the spot, so it shows on stderr, not only in the file.
        stderrLevel: log.debugHttp ? 'debug' : log.stderrLevel,
        pretty: log.pretty,
        env: this.config.env,
      });
    this.defaultModel = options.model;
    this.dispatcher = options.dispatcher;
    for (const [name, provider] of Object.entries(options.providers ?? {}))
      this.providers.set(name, provider);
    this.prices = new PriceBook(settings, {
      onUnknownModel: (provider, model) =>
        this.logger.warn(
          { provider, model },
          `no price known for ${provider}/${model}: its cost is recorded as unknown (null), not $0; add it under "prices" in the config`,
        ),
    });
    this.ledger = settings.ledger.enabled ? new UsageLedger(settings.ledger, this.logger) : undefined;
    this.alerts = createAlertDispatcher(settings.alerts, this.config.env, this.logger);
    this.budgets = new Budgets(
      settings.budgets,
      settings.budgetSettings,
      // Configured budgets open their store now, so a bad budgets.db fails here, not mid-call.
      settings.budgets.length > 0
        ? openBudgetStore(settings.budgetSettings)
        : () => openBudgetStore(settings.budgetSettings),
      this.logger,
    );
    this.rateLimiter = new RateLimiter(settings.rateLimits, {
      metrics: this.metrics,
      fallbackRedisUrl: settings.budgetSettings.redisUrl,
    });
    const { sinks, stopDailySummary } = settleSinks({
      settings,
      logger: this.logger,
      metrics: this.metrics,
      ledger: this.ledger,
      budgets: this.budgets,
      alerts: this.alerts,
      rateLimiter: this.rateLimiter,
      pendingSettles: this.pendingSettles,
      runningTotals: this.runningTotals,
      onCall: options.onCall,
    });
    this.stopDailySummary = stopDailySummary;
    const cost = (provider: string, model: string, usage: Usage) => this.prices.cost(provider, model, usage);
    const countInput = (request: ModelRequest, provider: string, model: string) =>
      countTokens(request.messages, `${provider}/${model}`, request.tools ? { tools: request.tools } : {});
    this.guard = settings.guardrails.length > 0 ? new Guard(settings.guardrails) : undefined;
    this.responseCache = new ResponseCache(settings.cache);
    this.router =
      Object.keys(settings.routes).length > 0
        ? new Router({
            routes: settings.routes,
            routing: settings.routing,
            aliases: settings.aliases,
            defaultModel: options.model ?? settings.defaultModel,
            build: (provider, model, apiKeyEnv) => ({
              provider,
              model,
              languageModel: this.provider(provider, apiKeyEnv).languageModel(model),
            }),
            logger: this.logger,
            registry: this.metrics.registry,
          })
        : undefined;
    this.steps = [
      settleStep(sinks, {
        cost,
        countText: (text, provider, model) =>
          countTextTokens(text, encodingFor(`${provider}/${model}`).encoding),
      }),
      ...(this.guard ? [guardStep({ guard: this.guard, metrics: this.metrics, countInput })] : []),
      preflightStep({
        countInput,
        limits: (provider, model) => this.prices.limits(provider, model),
        cost,
      }),
      budgetStep({ budgets: this.budgets, cost }),
      rateLimitStep({ limiter: this.rateLimiter }),
      cacheStep({ cache: this.responseCache, metrics: this.metrics }),
      routeStep(this.router),
      retryStep,
      providerStep,
    ];
  }

  /**
   * Sends a prompt (or a conversation) and resolves with the whole answer. With a tool set in
   * `tools`, runs the tool loop (see `ToolLoopResult`): every step is its own call in the ledger.
   */
  generate(prompt: Prompt, options: CallOptions & { tools: ToolSet }): Promise<ToolLoopResult>;
  generate(prompt: Prompt, options?: CallOptions): Promise<GenerateResult>;
  async generate(prompt: Prompt, options: CallOptions = {}): Promise<GenerateResult> {
    if (isToolSet(options.tools)) {
      const messages = buildRequest(prompt, { ...options, tools: undefined }).messages;
      const { system: _system, ...rest } = options;
      return runToolLoop(
        messages,
        { ...rest, tools: options.tools },
        (conversation, callOptions) => this.generateOnce(conversation, callOptions),
        this.logger,
        { totalMs: options.timeouts?.totalMs ?? this.config.config.timeouts.totalMs },
      );
    }
    return this.generateOnce(prompt, options);
  }

  /**
   * Asks for JSON matching `schema` (zod or JSON Schema) with the provider's strongest mechanism,
   * validates it, and re-asks with the issues when it does not validate (`maxAttempts`, default 3).
   * Throws `StructuredOutputError` when no attempt validates.
   */
  generateObject<S extends SchemaInput>(options: ObjectOptions<S>): Promise<ObjectResult<InferSchema<S>>> {
    return generateObject(this.objectCaller(), options);
  }

  /**
   * Runs many prompts: results in input order, each `{ ok, value | error }`; one failure never
   * fails the batch. Adaptive concurrency (halves on 429), RPM/TPM buckets from pre-flight token
   * estimates, per-item retries, and a budget refusal that stops scheduling (`skipped: 'budget'`).
   */
  batch(items: ReadonlyArray<string | BatchItem>, options?: BatchOptions): Promise<BatchResult[]> {
    return runBatch(
      batchCaller({
        generate: (prompt, callOptions) => this.generate(prompt, callOptions),
        generateObject: (objectOptions) => this.generateObject(objectOptions),
        planTarget: this.planTarget,
        retry: this.config.config.retry,
      }),
      items,
      options,
    );
  }

  /** `generateObject`, streamed: iterate for partial objects, await `object` for the validated one. */
  streamObject<S extends SchemaInput>(options: ObjectOptions<S>): ObjectStream<InferSchema<S>> {
    return streamObject(this.objectCaller(), options);
  }

  private objectCaller(): ObjectStreamCaller {
    return objectCaller({
      generate: (messages, options) => this.generateOnce(messages, options),
      stream: (messages, options) => this.stream(messages, options),
      planTarget: this.planTarget,
      settings: this.config.config,
      customProviders: this.providers,
      logger: this.logger,
    });
  }

  private async generateOnce(prompt: Prompt, options: CallOptions): Promise<GenerateResult> {
    const { context, done } = this.context('generate', prompt, options);
    try {
      const reader = (await runPipeline(this.steps, context)).getReader();
      while (!(await reader.read()).done) {
        // The settle step folds the parts into the result as they pass.
      }
      return context.result!;
    } finally {
      done();
    }
  }

  /** Streams the answer as typed events; `await stream.result` for the whole of it. */
  stream(prompt: Prompt, options: CallOptions = {}): LlmStream {
    const { context, done, abortController } = this.context('stream', prompt, options);
    // The iterator drives the stream; the result is ready when the settle step saw it end.
    const result = new Promise<GenerateResult>((resolve, reject) => {
      context.onEnd = (record, outcome) => (record.result ? resolve(record.result) : reject(outcome));
    });
    const parts = runPipeline(this.steps, context);
    result.then(done, done);
    return new LlmStream(parts, result, abortController);
  }

  /** Calls, attempts, tokens and spend since the client was made. */
  get totals() {
    return this.runningTotals.snapshot();
  }

  /** The brief's `total_tokens`. */
  get totalTokens(): number {
    return this.runningTotals.totalTokens;
  }

  /** The brief's `total_cost`, in USD, over the calls whose price is known. */
  get totalCost(): number {
    return this.runningTotals.costNanos / 1e9;
  }

  /** The brief's `calculate_cost(usage)`: USD for `usage` on `model` (default model if omitted); null when unpriced. */
  calculateCost(usage: Usage, model?: string): number | null {
    const target = this.planTarget(model);
    const nanos = this.prices.cost(target.provider, target.model, usage);
    return nanos === null ? null : nanos / 1e9;
  }

  /** Spend and tokens from the ledger, grouped: `client.usage.summary({ period: '7d', groupBy: 'model' })`. */
  readonly usage = {
    summary: (options?: SummaryOptions): Promise<Summary> => {
      if (!this.ledger) throw new Error('the usage ledger is disabled (ledger.enabled: false)');
      return this.ledger.summary(options);
    },
  };

  /** Settles what is pending, delivers queued alerts, flushes the ledger. Call before the process exits. */
  async close(): Promise<void> {
    this.stopDailySummary?.();
    await Promise.all([...this.pendingSettles]);
    await this.alerts.close();
    await this.budgets.close();
    await this.rateLimiter.close();
    await this.ledger?.close();
    await this.responseCache.close();
  }

  /** The provider behind a name, built once with its key (or with `apiKeyEnv`'s, for a route target). */
  provider(name: string, apiKeyEnv?: string): Provider {
    const cache = apiKeyEnv === undefined ? this.providers : this.keyedProviders;
    const key = apiKeyEnv === undefined ? name : `${name}\n${apiKeyEnv}`;
    let provider = cache.get(key);
    if (!provider) {
      provider = buildProvider(
        name,
        this.config,
        this.logger,
        this.dispatcher ?? defaultDispatcher(this.config.env),
        apiKeyEnv,
      );
      cache.set(key, provider);
    }
    return provider;
  }

  /** Route targets with their breaker state, failures and last error (`/admin/targets`); [] without routes. */
  targets(): TargetHealth[] {
    return this.router?.targets() ?? [];
  }

  private planTarget = (modelName: string | undefined): { provider: string; model: string } => {
    const router = this.router;
    const route = router?.route(modelName ?? this.defaultModel);
    // A route plans the target its next call would try first: pre-flight and budgets price that one.
    if (router && route) return router.plan(route);
    const name = modelName ?? this.defaultModel;
    const slash = name?.indexOf('/') ?? -1;
    if (
      name &&
      slash > 0 &&
      this.providers.has(name.slice(0, slash)) &&
      !this.config.config.providers[name.slice(0, slash)]
    ) {
      return { provider: name.slice(0, slash), model: name.slice(slash + 1) };
    }
    const { provider, model } = resolveModel(name, this.config.config);
    return { provider, model };
  };

  private resolveTarget = (modelName: string | undefined): CallTarget => {
    const router = this.router;
    const route = router?.route(modelName ?? this.defaultModel);
    if (router && route) return router.callTarget(router.plan(route));
    const { provider, model } = this.planTarget(modelName);
    return { provider, model, languageModel: this.provider(provider).languageModel(model) };
  };

  private context(mode: 'generate' | 'stream', prompt: Prompt, options: CallOptions) {
    return newCallContext(this.contextServices, mode, prompt, options);
  }

  private get contextServices(): ContextServices {
    return {
      settings: this.config.config,
      logger: this.logger,
      planTarget: this.planTarget,
      resolveTarget: this.resolveTarget,
    };
  }

  /** For servers on llmkit (the gateway): one call's raw parts and live context; same pipeline. */
  open(mode: 'generate' | 'stream', prompt: Prompt, options: CallOptions = {}): OpenCall {
    return openCall(this.steps, this.context(mode, prompt, options));
  }

  /** Records a request refused before it became a call (the gateway's bad input) in logs, metrics and the ledger. */
  recordRefusal(error: unknown, options: CallOptions = {}): Promise<CallRecord> {
    return recordRefusal(this.steps[0]!, this.context('generate', [], options), error);
  }
}
