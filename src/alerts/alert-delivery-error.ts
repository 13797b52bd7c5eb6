import { exitCodes, LlmkitError, type LlmkitErrorFields } from '../errors/llmkit-error.js';

const defaultHint =
  "check the channel's URL, credentials and network; `llmkit alerts test` sends a test alert to every channel";

export interface AlertDeliveryErrorFields extends LlmkitErrorFields {
  hint?: string;
  /** Whether the same message may get through if sent again (rate limits, 5xx, timeouts, resets). */
  retryable?: boolean;
}

/** A channel did not accept an alert. The message never contains a secret: URLs are masked. */
export class AlertDeliveryError extends LlmkitError {
  override readonly code = 'alert_delivery';
  override readonly exitCode = exitCodes.provider;
  override readonly retryable: boolean;
  constructor(detail: string, fields: AlertDeliveryErrorFields = {}) {
    super(detail, fields.hint ?? defaultHint, fields);
    this.retryable = fields.retryable ?? false;
  }
}
