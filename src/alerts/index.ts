export type { AlertChannel, SendOptions } from './alert-channel.js';
export { AlertDeliveryError, type AlertDeliveryErrorFields } from './alert-delivery-error.js';
export {
  AlertDispatcher,
  type AlertDispatcherOptions,
  type DeliveryResult,
} from './alert-dispatcher.js';
export type {
  AlertEvent,
  AlertMessage,
  BudgetSnapshot,
  DailySummaryEvent,
  TestEvent,
  ThresholdEvent,
} from './alert-event.js';
export {
  type AlertLocale,
  type AlertsConfig,
  type AlertsConfigInput,
  alertsSchema,
  type ChannelConfig,
  type ChannelConfigOf,
  type ChannelType,
  channelSchema,
  channelTypes,
} from './alerts-schema.js';
export type { ChannelContext } from './channel-context.js';
export { createAlertDispatcher } from './create-alert-dispatcher.js';
export { type ChannelFactory, type CreateChannelsOptions, createChannels } from './create-channels.js';
export { type FormattedAlert, formatAlert, formatAmount } from './format-alert.js';
export { maskURL } from './mask-url.js';
export { alertsIssueMessage, parseAlertsConfig } from './parse-alerts-config.js';
export { thresholdEvent } from './threshold-event.js';
export { webhookSignature } from './webhook-channel.js';
