import { randomUUID } from 'node:crypto';
import type { AlertChannel } from './alert-channel.js';
import type { AlertMessage } from './alert-event.js';
import { alertRequest, serviceError } from './alert-request.js';
import type { ChannelConfigOf, TemplateField } from './alerts-schema.js';
import { aliyunSignature, canonicalQuery, percentEncode } from './aliyun-signature.js';
import { type ChannelContext, requireVariable } from './channel-context.js';
import { formatAmount } from './format-alert.js';

/** The value of each template field for this alert; fields a test alert lacks are empty. */
function fieldValue(message: AlertMessage, field: TemplateField): string {
  const { event } = message;
  if (field === 'title') return message.title;
  if (field === 'text') return message.text;
  if (event.kind !== 'threshold') return '';
  if (field === 'budget') return event.budget.name;
  if (field === 'percent') return `${Math.floor(event.percent)}%`;
  if (field === 'spent') return formatAmount(event.spentUsd);
  return event.budget.limitUsd === undefined
    ? String(event.budget.limitTokens ?? '')
    : formatAmount(event.budget.limitUsd);
}

// Throttling and service faults pass with time; isv.* codes (bad template, sign, number) do not.
const retryableCodes = /^(Throttling|ServiceUnavailable|InternalError)/;

/**
 * Aliyun SMS `SendSms` (API version 2017-05-25, help.aliyun.com/document_detail/55284.htm)
 * called RPC style: a GET whose query holds the common parameters (Format, Version,
 * AccessKeyId, SignatureMethod HMAC-SHA1, SignatureVersion 1.0, SignatureNonce, Timestamp in
 * UTC ISO 8601) and SendSms's own (PhoneNumbers comma-separated, SignName, TemplateCode,
 * TemplateParam as JSON), signed as the SMS signature mechanism describes. Success is
 * `Code: "OK"` in the JSON answer, which may still be HTTP 200 when it is not.
 */
export function createAliyunSmsChannel(
  name: string,
  config: ChannelConfigOf<'aliyun-sms'>,
  context: ChannelContext,
): AlertChannel {
  const secret = requireVariable(
    context,
    config.accessKeySecretEnv,
    `alerts.channels.${name}.accessKeySecretEnv`,
  );
  const endpoint = config.endpoint.replace(/\/+$/, '');
  return {
    name,
    type: 'aliyun-sms',
    async send(message, { signal }) {
      const templateParam: Record<string, string> = {};
      for (const [variable, field] of Object.entries(config.templateParams))
        templateParam[variable] = fieldValue(message, field);
      const parameters: Record<string, string> = {
        AccessKeyId: config.accessKeyId,
        Action: 'SendSms',
        Format: 'JSON',
        PhoneNumbers: config.phoneNumbers.join(','),
        RegionId: 'cn-hangzhou',
        SignName: config.signName,
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: randomUUID(),
        SignatureVersion: '1.0',
        TemplateCode: config.templateCode,
        TemplateParam: JSON.stringify(templateParam),
        // yyyy-MM-ddTHH:mm:ssZ: the documented form has no milliseconds.
        Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        Version: '2017-05-25',
      };
      const signature = aliyunSignature('GET', parameters, secret);
      const response = await alertRequest({
        url: `${endpoint}/?Signature=${percentEncode(signature)}&${canonicalQuery(parameters)}`,
        method: 'GET',
        label: `${endpoint} SendSms`,
        signal,
        dispatcher: context.dispatcher,
        // The key id is no secret, but it names the account: errors do without it.
        secrets: [secret, config.accessKeyId],
        describeError: (body) => {
          const { Code, Message } = (body ?? {}) as { Code?: unknown; Message?: unknown };
          return typeof Code === 'string'
            ? `${Code}${typeof Message === 'string' ? `: ${Message}` : ''}`
            : undefined;
        },
      });
      const body = (response.body ?? {}) as { Code?: unknown; Message?: unknown };
      if (body.Code !== 'OK') {
        const code = typeof body.Code === 'string' ? body.Code : 'without Code "OK"';
        throw serviceError('Aliyun SMS', code, body.Message, { retryable: retryableCodes.test(code) });
      }
    },
  };
}
