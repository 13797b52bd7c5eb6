import { LlmkitError } from '../errors/llmkit-error.js';
import type { Logger } from '../logging/logger.js';
import { sleep as realSleep } from '../retry/sleep.js';
import type { AlertChannel } from './alert-channel.js';
import { AlertDeliveryError } from './alert-delivery-error.js';
import type { AlertEvent, AlertMessage } from './alert-event.js';
import type { AlertLocale } from './alerts-schema.js';
import { formatAlert } from './format-alert.js';

export interface AlertDispatcherOptions {
  locale: AlertLocale;
  /** Retries after the first attempt, per channel. */
  retries: number;
  /** Deadline of each attempt. */
  timeoutMs: number;
  logger: Logger;
  /** Waits between attempts; tests pass a fake. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** First backoff step, doubled each retry. Default 500 ms. */
  baseDelayMs?: number;
  /** Ceiling of one backoff step and of a server's Retry-After. Default 30 s. */
  maxDelayMs?: number;
  random?: () => number;
}

export interface DeliveryResult {
  channel: string;
  type: string;
  ok: boolean;
  /** Why the last attempt failed; never contains a secret. */
  error?: string;
  attempts: number;
}

function describe(error: unknown): string {
  if (LlmkitError.isInstance(error)) return error.detail;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Sends alerts to channels, each on its own, retrying transient failures with exponential
 * backoff. `dispatch` is for the call path: it returns at once and never throws; failures
 * end up in the log. `deliver` awaits every channel and reports, for `llmkit alerts test`.
 */
export class AlertDispatcher {
  readonly #channels: ReadonlyMap<string, AlertChannel>;
  readonly #options: AlertDispatcherOptions;
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Channel deliveries under way, for the warning when close() gives up on them. */
  #sending = 0;
  /** Aborted when close() gives up waiting: pending attempts and backoffs stop. */
  readonly #closing = new AbortController();
  #closed = false;

  constructor(channels: readonly AlertChannel[], options: AlertDispatcherOptions) {
    this.#channels = new Map(channels.map((channel) => [channel.name, channel]));
    this.#options = options;
  }

  get channelNames(): string[] {
    return [...this.#channels.keys()];
  }

  /** Fire and forget: the alert goes out in the background; the caller is never delayed or thrown at. */
  dispatch(event: AlertEvent, channelNames?: readonly string[]): void {
    if (this.#closed) {
      this.#options.logger.warn({ alert: event.kind }, 'alert dropped: the alert dispatcher is closed');
      return;
    }
    const delivery = Promise.resolve()
      .then(() => this.deliver(event, channelNames))
      .catch((error: unknown) =>
        this.#options.logger.error({ alert: event.kind }, `alert could not be sent: ${describe(error)}`),
      );
    this.#track(delivery);
  }

  /** Sends to the named channels (all when omitted) and reports each; rejects never. */
  async deliver(event: AlertEvent, channelNames?: readonly string[]): Promise<DeliveryResult[]> {
    const { title, text } = formatAlert(event, this.#options.locale);
    const message: AlertMessage = { event, locale: this.#options.locale, title, text };
    const names = [...new Set(channelNames ?? this.channelNames)];
    const results = names.map((name) => {
      const channel = this.#channels.get(name);
      if (channel !== undefined) {
        this.#sending++;
        return this.#track(this.#deliverTo(channel, message).finally(() => this.#sending--));
      }
      this.#options.logger.warn({ channel: name }, `alert names channel "${name}", which is not configured`);
      return Promise.resolve({
        channel: name,
        type: 'unknown',
        ok: false,
        error: 'no such channel is configured',
        attempts: 0,
      });
    });
    return Promise.all(results);
  }

  /** Waits for deliveries under way, at most `timeoutMs`; then abandons the rest with a warning. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.#closed = true;
    if (this.#inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([Promise.allSettled([...this.#inFlight]), timedOut]);
      if (outcome === 'timeout') {
        const pending = this.#sending;
        this.#options.logger.warn(
          { pending },
          `gave up waiting for ${pending} alert ${pending === 1 ? 'delivery' : 'deliveries'} after ${timeoutMs} ms`,
        );
        this.#closing.abort(new AlertDeliveryError('the alert dispatcher closed before delivery finished'));
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise)).catch(() => {});
    return promise;
  }

  async #deliverTo(channel: AlertChannel, message: AlertMessage): Promise<DeliveryResult> {
    const { logger, retries } = this.#options;
    const sleep = this.#options.sleep ?? realSleep;
    const where = `channel "${channel.name}" (${channel.type})`;
    const fields = { channel: channel.name, type: channel.type, alert: message.event.kind };
    const total = retries + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#attempt(channel, message);
        if (attempt > 1)
          logger.info({ ...fields, attempts: attempt }, `alert sent to ${where} on attempt ${attempt}`);
        else logger.debug(fields, `alert sent to ${where}`);
        return { channel: channel.name, type: channel.type, ok: true, attempts: attempt };
      } catch (error) {
        const reason = describe(error);
        // Adapters classify: a refusal (bad signature, unknown recipient, 4xx) will not change on a retry.
        const retryable = !LlmkitError.isInstance(error) || error.retryable;
        if (!retryable || attempt >= total || this.#closing.signal.aborted) {
          const tries = attempt === 1 ? '' : ` after ${attempt} attempts`;
          logger.error({ ...fields, attempts: attempt }, `alert to ${where} failed${tries}: ${reason}`);
          return { channel: channel.name, type: channel.type, ok: false, error: reason, attempts: attempt };
        }
        const delayMs = this.#backoff(attempt, error);
        logger.warn(
          { ...fields, attempt },
          `alert to ${where} failed (attempt ${attempt} of ${total}), retrying in ${delayMs} ms: ${reason}`,
        );
        try {
          await sleep(delayMs, this.#closing.signal);
        } catch {
          // close() gave up on us: the next loop turn reports the failure.
        }
      }
    }
  }

  /** One try under its own deadline; the timer is cleared whatever happens. */
  async #attempt(channel: AlertChannel, message: AlertMessage): Promise<void> {
    const { timeoutMs } = this.#options;
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new AlertDeliveryError(`no answer within ${timeoutMs} ms`, { retryable: true })),
      timeoutMs,
    );
    const onClose = () => controller.abort(this.#closing.signal.reason);
    this.#closing.signal.addEventListener('abort', onClose, { once: true });
    // An adapter that ignores its signal still cannot hold the dispatcher past the deadline.
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    const sending = channel.send(message, { signal: controller.signal });
    sending.catch(() => {});
    aborted.catch(() => {});
    try {
      await Promise.race([sending, aborted]);
    } finally {
      clearTimeout(timer);
      this.#closing.signal.removeEventListener('abort', onClose);
    }
  }

  /** Exponential with jitter, or the server's Retry-After when it sent one; both capped. */
  #backoff(attempt: number, error: unknown): number {
    const base = this.#options.baseDelayMs ?? 500;
    const cap = this.#options.maxDelayMs ?? 30_000;
    const hint = LlmkitError.isInstance(error) ? error.retryAfterMs : undefined;
    if (hint !== undefined) return Math.min(hint, cap);
    const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
    // Half fixed, half random: retries of many channels spread out, yet each waits at least half.
    return Math.round(ceiling / 2 + (this.#options.random ?? Math.random)() * (ceiling / 2));
  }
}
