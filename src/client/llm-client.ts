import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { type LoadConfigOptions, type LoadedConfig, loadConfig } from '../config/load-config.js';
import { resolveModel } from '../config/resolve-model.js';
import { resolveApiKey } from '../config/secrets.js';
import { ConfigError, TimeoutError } from '../errors/index.js';
import { logAttempt, logCall } from '../logging/call-log.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { CallContext, CallRecord, CallTarget, GenerateResult } from '../pipeline/call-context.js';
import { type NamedStep, runPipeline } from '../pipeline/pipeline.js';
import { providerStep } from '../pipeline/steps/provider.js';
import { retryStep } from '../pipeline/steps/retry.js';
import { routeStep } from '../pipeline/steps/route.js';
import { type CallSink, settleStep } from '../pipeline/steps/settle.js';
import { createOpenAICompatibleProvider } from '../providers/openai-compatible/index.js';
import type { HttpDebugEvent } from '../providers/openai-compatible/openai-compatible-provider.js';
import type { Provider } from '../providers/provider.js';
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
  /** Called with every finished call, after logging. */
  onCall?: (record: CallRecord) => void;
}

/**
 * The library surface. Every call runs one pipeline:
 * settle ( route → retry → provider ), with guards, pre-flight, budgets, rate limits and
 * the cache slotting in as their steps arrive. A feature lives in one step, never here.
 */
export class LLMClient {
  readonly config: LoadedConfig;
  readonly logger: Logger;
  private readonly totals = new RunningTotals();
  private readonly providers = new Map<string, Provider>();
  private readonly steps: NamedStep[];
  private readonly defaultModel: string | undefined;
  private readonly dispatcher: Dispatcher | undefined;

  constructor(options: LLMClientOptions = {}) {
    this.config = options.config ?? loadConfig(options);
    const { log } = this.config.config;
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
    const sinks: CallSink[] = [logCall, (record) => this.totals.add(record)];
    if (options.onCall) sinks.push(options.onCall);
    this.steps = [settleStep(sinks), routeStep, retryStep, providerStep];
  }

  /** Sends a prompt (or a conversation) and resolves with the whole answer. */
  async generate(prompt: Prompt, options: CallOptions = {}): Promise<GenerateResult> {
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

  /** Calls, attempts and tokens since the client was made. */
  get usage() {
    return this.totals.snapshot();
  }

  /** The brief's `total_tokens`. */
  get totalTokens(): number {
    return this.totals.totalTokens;
  }

  /** The provider behind a name, built once with its key (for `llmkit doctor` and tests). */
  provider(name: string): Provider {
    let provider = this.providers.get(name);
    if (provider) return provider;
    const providerConfig = this.config.config.providers[name];
    if (!providerConfig) {
      const known = Object.keys(this.config.config.providers).join(', ');
      throw new ConfigError(`unknown provider "${name}"; configured providers: ${known}`);
    }
    const key = resolveApiKey(name, this.config);
    if (!key.value && providerConfig.apiKeyRequired) {
      const variable = providerConfig.apiKeyEnv ?? `${name.toUpperCase().replaceAll('-', '_')}_API_KEY`;
      throw new ConfigError(`no API key for provider "${name}"`, {
        hint: `set ${variable} in the environment or .env, or providers.${name}.apiKeyFile in the config`,
        provider: name,
      });
    }
    provider = createOpenAICompatibleProvider({
      name,
      baseURL: providerConfig.baseURL,
      apiKey: key.value,
      authHeader: providerConfig.authHeader,
      headers: providerConfig.headers,
      query: providerConfig.query,
      maxLineBytes: this.config.config.stream.maxLineBytes,
      ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      ...(this.config.config.log.debugHttp
        ? {
            onHttp: (event: HttpDebugEvent) =>
              this.logger.debug({ event: 'http', ...event }, `http ${event.phase}`),
          }
        : {}),
    });
    this.providers.set(name, provider);
    return provider;
  }

  private resolveTarget = (modelName: string | undefined): CallTarget => {
    const target = resolveModel(modelName ?? this.defaultModel, this.config.config);
    return {
      provider: target.provider,
      model: target.model,
      languageModel: this.provider(target.provider).languageModel(target.model),
    };
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
