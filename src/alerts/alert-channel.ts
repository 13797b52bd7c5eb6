import type { AlertMessage } from './alert-event.js';

export interface SendOptions {
  /** Aborts the delivery: the attempt's timeout, or the dispatcher closing. */
  signal: AbortSignal;
}

/**
 * One configured destination of alerts. Each type (webhook, Slack, email, SMS...) is an
 * adapter behind this contract; the dispatcher never asks which type it talks to.
 * `send` resolves once the service accepted the message and throws an AlertDeliveryError
 * (with `retryable` set) when it did not.
 */
export interface AlertChannel {
  readonly name: string;
  readonly type: string;
  send(message: AlertMessage, options: SendOptions): Promise<void>;
}
