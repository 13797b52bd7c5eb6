import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { type AlertDispatcher, createAlertDispatcher } from '../alerts/create-alert-dispatcher.js';
import { scheduleDailySummary } from '../alerts/daily-summary.js';
import { thresholdEvent } from '../alerts/threshold-event.js';
import { runBatch } from '../batch/run-batch.js';
import type { BatchItem, BatchOptions, BatchResult } from '../batch/types.js';
import { budgetSink } from '../budget/budget-sink.js';
import { Budgets, type ThresholdCrossing } from '../budget/budgets.js';
import { openBudgetStore } from '../budget/open-budget-store.js';
import { type LoadConfigOptions, type LoadedConfig, loadConfig } from '../config/load-config.js';
import { resolveModel } from '../config/resolve-model.js';
import { TimeoutError } from '../errors/index.js';
import { Guard } from '../guard/guard.js';
import type { Summary } from '../ledger/index.js';
import { callLog, logAttempt } from '../logging/call-log.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { Metrics } from '../metrics/metrics.js';
import type { CallContext, CallRecord, CallTarget, GenerateResult } from '../pipeline/call-context.js';
import { type NamedStep, runPipeline } from '../pipeline/pipeline.js';
import { budgetStep } from '../pipeline/steps/budget.js';
import { cacheStep } from '../pipeline/steps/cache.js';
import { guardStep } from '../pipeline/steps/guard.js';
import { preflightStep } from '../pipeline/steps/preflight.js';
import { providerStep } from '../pipeline/steps/provider.js';
import { rateLimitStep } from '../pipeline/steps/rate-limit.js';
import { retryStep } from '../pipeline/steps/retry.js';
import { routeStep } from '../pipeline/steps/route.js';
import { type CallSink, settleStep } from '../pipeline/steps/settle.js';
import { PriceBook } from '../pricing/index.js';
import { defaultDispatcher } from '../providers/openai-compatible/transport.js';
import type { Provider } from '../providers/provider.js';
import type { ModelRequest, Usage } from '../providers/types.js';
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
import { RunningTotals } from './running-totals.js';

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
 * The library surface. Every call runs one pipeline:
 * settle ( pre-flight → budget → route → retry → provider ), with guards, rate limits and
 * the cache slotting in as their steps arrive. A feature lives in one step, never here.
 */
export class LLMClient {
  readonly config: LoadedConfig;
  readonly logger: Logger;
  /** Spend and usage recorded in the ledger; undefined when `ledger.enabled` is false. */
  readonly ledger: UsageLedger | undefined;
  /** The configured budgets and their store; undefined when none is configured. */
  readonly budgets: Budgets | undefined;
  /** Prometheus metrics of this client's calls (guard decisions...); the gateway serves them. */
  readonly metrics = new Metrics();
  /** The configured guard rules; undefined when none is configured. */
  readonly guard: Guard | undefined;
  private readonly alerts: AlertDispatcher;
  private readonly pendingSettles = new Set<Promise<void>>();
  private stopDailySummary: (() => void) | undefined;
  private readonly runningTotals = new RunningTotals();
  private readonly providers = new Map<string, Provider>();
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
    this.budgets =
      settings.budgets.length > 0
        ? new Budgets(
            settings.budgets,
            settings.budgetSettings,
            openBudgetStore(settings.budgetSettings),
            this.logger,
          )
        : undefined;
    const sinks: CallSink[] = [callLog({ content: log.content }), (record) => this.runningTotals.add(record)];
    if (this.ledger) sinks.push(this.ledger.sink);
    if (this.budgets) {
      const announce = (crossing: ThresholdCrossing) => {
        const event = thresholdEvent(crossing);
        // Every crossing is logged, whatever channels are configured, so none goes unseen.
        this.logger.warn(
          {
            event: 'alert',
            budget: crossing.budget.name,
            threshold: crossing.threshold,
            percent: crossing.percent,
            spentUsd: event.spentUsd,
          },
          `budget "${crossing.budget.name}" passed ${crossing.threshold}% of its limit (${crossing.percent.toFixed(1)}%)`,
        );
        this.alerts.dispatch(event, crossing.budget.budget.channels);
      };
      sinks.push(budgetSink(this.budgets, announce, this.pendingSettles));
    }
    if (options.onCall) sinks.push(options.onCall);
    const summary = settings.alerts.dailySummary;
    if (summary?.enabled && this.ledger) {
      const ledger = this.ledger;
      this.stopDailySummary = scheduleDailySummary({
        at: summary.at,
        timeZone: settings.budgetSettings.timeZone,
        summarize: (since, until) =>
          ledger.summary({ since: new Date(since), until: new Date(until), groupBy: 'model' }),
        send: (event) => this.alerts.dispatch(event, summary.channels),
        onError: (error) => this.logger.error({ err: error }, 'daily spend summary failed'),
      });
    }
    const cost = (provider: string, model: string, usage: Usage) => this.prices.cost(provider, model, usage);
    const countInput = (request: ModelRequest, provider: string, model: string) =>
      countTokens(request.messages, `${provider}/${model}`, request.tools ? { tools: request.tools } : {});
    this.guard = settings.guardrails.length > 0 ? new Guard(settings.guardrails) : undefined;
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
      ...(this.budgets ? [budgetStep({ budgets: this.budgets, cost })] : []),
      rateLimitStep(),
      cacheStep(),
      routeStep,
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
    return {
      generate: (messages, options) => this.generateOnce(messages, options),
      stream: (messages, options) => this.stream(messages, options),
      target: (model) => {
        const { provider, model: id } = this.planTarget(model);
        const custom = this.providers.get(provider);
        const supported =
          this.config.config.providers[provider]?.structuredOutput ??
          custom?.structuredOutput ??
          'json_object';
        return { label: `${provider}/${id}`, supported };
      },
      logger: this.logger,
    };
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
    await this.budgets?.store.close();
    await this.ledger?.close();
  }

  /** The provider behind a name, built once with its key (for `llmkit doctor` and tests). */
  provider(name: string): Provider {
    let provider = this.providers.get(name);
    if (!provider) {
      provider = buildProvider(
        name,
        this.config,
        this.logger,
        this.dispatcher ?? defaultDispatcher(this.config.env),
      );
      this.providers.set(name, provider);
    }
    return provider;
  }

  private planTarget = (modelName: string | undefined) => {
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
    const { provider, model } = this.planTarget(modelName);
    return { provider, model, languageModel: this.provider(provider).languageModel(model) };
  };

  private context(mode: 'generate' | 'stream', prompt: Prompt, options: CallOptions) {
    const settings = this.config.config;
    const timeouts = { ...settings.timeouts, ...options.timeouts };
    const abortController = new AbortController();
    const total = setTimeout(
      () => abortController.abort(new TimeoutError('total', timeouts.totalMs)),
      timeouts.totalMs,
    );
    const onCallerAbort = () => abortController.abort(options.signal?.reason);
    if (options.signal?.aborted) onCallerAbort();
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const startedAt = Date.now();
    const context: CallContext = {
      requestId: `llm_${randomUUID().replaceAll('-', '')}`,
      mode,
      modelName: options.model,
      request: buildRequest(prompt, options),
      retry: {
        ...settings.retry,
        ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
      },
      timeouts,
      signal: abortController.signal,
      deadline: startedAt + timeouts.totalMs,
      startedAt,
      headers: options.headers ?? {},
      logger: this.logger,
      metadata: {
        user: options.user,
        project: options.project,
        tags: options.tags ?? [],
        gatewayKey: options.key?.name,
      },
      keyPolicy: options.key,
      cacheRequest: options.cache,
      planTarget: this.planTarget,
      resolveTarget: this.resolveTarget,
      attempts: [],
      onAttempt: (record) => {
        context.attempts.push(record);
        logAttempt(record, context);
      },
    };
    const done = () => {
      clearTimeout(total);
      options.signal?.removeEventListener('abort', onCallerAbort);
    };
    return { context, done, abortController };
  }
}
