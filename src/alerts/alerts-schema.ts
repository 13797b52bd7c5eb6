import { z } from 'zod';

/*
 * Config of the alert channels, under the `alerts` key. Like the rest of the config, every
 * leaf carries its own message so a failed check reads as a sentence after the key path
 * (`alerts.channels.ops.url must be an http(s) URL`). Secrets are never values here: a
 * channel names the environment variable that holds each one (`secretEnv`, `urlEnv`...).
 */

const text = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });
const flag = z.boolean({ error: 'must be true or false' });

const urlMessage = 'must be an http(s) URL';
const httpURL = z.string({ error: urlMessage }).regex(/^https?:\/\/[^\s/?#]+\S*$/i, { error: urlMessage });

const variableMessage = 'must be an environment variable name such as OPS_WEBHOOK_URL';
const variable = z
  .string({ error: variableMessage })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: variableMessage });

const list = (what: string) =>
  z
    .array(text, { error: `must be a list of ${what}` })
    .min(1, { error: `must name at least one of the ${what}` });

// Credentials in plain headers would sit in a committed file; the webhook signs with secretEnv instead.
const credentialHeader = /^(authorization|proxy-authorization|api-key|x-api-key|cookie)$/i;
const headers = z
  .record(z.string(), z.string({ error: 'must be a string' }), { error: 'must be an object of strings' })
  .refine((value) => !Object.keys(value).some((name) => credentialHeader.test(name)), {
    error: 'must not carry credentials (Authorization, API keys, cookies); sign with secretEnv instead',
  });

/** Chat webhooks embed their token in the URL, so `urlEnv` keeps it out of the config file. */
const urlFields = { url: httpURL.optional(), urlEnv: variable.optional() };

function exactlyOneURL(
  channel: { url?: string | undefined; urlEnv?: string | undefined },
  context: z.RefinementCtx,
) {
  if ((channel.url === undefined) === (channel.urlEnv === undefined))
    context.addIssue({
      code: 'custom',
      message: 'must set exactly one of url and urlEnv (urlEnv keeps the token in the URL out of the file)',
    });
}

const object = { error: 'must be an object' };

export const logChannelSchema = z.strictObject({ type: z.literal('log') }, object);

export const webhookChannelSchema = z
  .strictObject(
    {
      type: z.literal('webhook'),
      ...urlFields,
      /** Key of the HMAC-SHA256 signature in `X-Llmkit-Signature`; no signature without it. */
      secretEnv: variable.optional(),
      headers: headers.optional(),
    },
    object,
  )
  .superRefine(exactlyOneURL);

export const slackChannelSchema = z
  .strictObject({ type: z.literal('slack'), ...urlFields }, object)
  .superRefine(exactlyOneURL);

export const feishuChannelSchema = z
  .strictObject({ type: z.literal('feishu'), ...urlFields, secretEnv: variable.optional() }, object)
  .superRefine(exactlyOneURL);

export const dingtalkChannelSchema = z
  .strictObject({ type: z.literal('dingtalk'), ...urlFields, secretEnv: variable.optional() }, object)
  .superRefine(exactlyOneURL);

export const wecomChannelSchema = z
  .strictObject({ type: z.literal('wecom'), ...urlFields }, object)
  .superRefine(exactlyOneURL);

const portMessage = 'must be a port number from 1 to 65535';
export const emailChannelSchema = z.strictObject(
  {
    type: z.literal('email'),
    host: text,
    port: z
      .number({ error: portMessage })
      .int({ error: portMessage })
      .min(1, { error: portMessage })
      .max(65_535, { error: portMessage })
      .default(587),
    /** `true` for implicit TLS (port 465); `false` upgrades with STARTTLS when the server offers it. */
    secure: flag.default(false),
    userEnv: variable.optional(),
    passwordEnv: variable.optional(),
    from: text,
    to: list('recipient addresses'),
  },
  object,
);

export const twilioChannelSchema = z.strictObject(
  {
    type: z.literal('twilio'),
    accountSid: text,
    authTokenEnv: variable,
    from: text,
    to: list('phone numbers'),
    baseURL: httpURL.default('https://api.twilio.com'),
  },
  object,
);

/** What each TemplateParam variable of an Aliyun SMS template is filled with. */
export const templateFields = ['title', 'text', 'budget', 'percent', 'spent', 'limit'] as const;

export const aliyunSmsChannelSchema = z.strictObject(
  {
    type: z.literal('aliyun-sms'),
    accessKeyId: text,
    accessKeySecretEnv: variable,
    signName: text,
    templateCode: text,
    phoneNumbers: list('phone numbers'),
    /** Template variable name -> alert field; the template must use exactly these variables. */
    templateParams: z
      .record(
        z.string(),
        z.enum(templateFields, { error: `must be one of ${templateFields.join(', ')}` }),
        object,
      )
      .default(() => ({ title: 'title' as const })),
    endpoint: httpURL.default('https://dysmsapi.aliyuncs.com'),
  },
  object,
);

export const channelTypes = [
  'log',
  'webhook',
  'slack',
  'feishu',
  'dingtalk',
  'wecom',
  'email',
  'twilio',
  'aliyun-sms',
] as const;

export const channelSchema = z.discriminatedUnion(
  'type',
  [
    logChannelSchema,
    webhookChannelSchema,
    slackChannelSchema,
    feishuChannelSchema,
    dingtalkChannelSchema,
    wecomChannelSchema,
    emailChannelSchema,
    twilioChannelSchema,
    aliyunSmsChannelSchema,
  ],
  { error: `must be an object whose type is one of ${channelTypes.join(', ')}` },
);

// Names appear on the command line (`--channel ops`) and in budgets' `channels` lists.
const channelName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
  error: 'must be a channel name of letters, digits, ".", "_" or "-"',
});

const timeMessage = 'must be a time of day as HH:MM, e.g. 09:00';
export const dailySummarySchema = z.strictObject(
  {
    enabled: flag.default(false),
    at: z.string({ error: timeMessage }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: timeMessage }),
    /** Channel names; all configured channels when omitted. */
    channels: z
      .array(z.string({ error: 'must be a channel name' }), { error: 'must be a list of channel names' })
      .optional(),
  },
  object,
);

const wholeMessage = 'must be a whole number >= 0';
const positiveMessage = 'must be a whole number > 0';

export const alertsSchema = z
  .strictObject(
    {
      locale: z.enum(['en', 'zh'], { error: 'must be "en" or "zh"' }).default('en'),
      channels: z.record(channelName, channelSchema, object).default(() => ({})),
      /** Retries after the first attempt, per channel, with exponential backoff. */
      retries: z
        .number({ error: wholeMessage })
        .int({ error: wholeMessage })
        .min(0, { error: wholeMessage })
        .default(3),
      /** Each attempt's deadline. */
      timeoutMs: z
        .number({ error: positiveMessage })
        .int({ error: positiveMessage })
        .min(1, { error: positiveMessage })
        .default(5_000),
      dailySummary: dailySummarySchema.optional(),
    },
    object,
  )
  .superRefine((alerts, context) => {
    const known = Object.keys(alerts.channels);
    const unknown = alerts.dailySummary?.channels?.find((name) => !known.includes(name));
    if (unknown !== undefined)
      context.addIssue({
        code: 'custom',
        path: ['dailySummary', 'channels'],
        message: `must name configured channels: "${unknown}" is not one (configured: ${known.join(', ') || 'none'})`,
      });
  });

export type AlertsConfig = z.output<typeof alertsSchema>;
export type AlertsConfigInput = z.input<typeof alertsSchema>;
export type ChannelConfig = z.output<typeof channelSchema>;
export type ChannelType = ChannelConfig['type'];
export type ChannelConfigOf<Type extends ChannelType> = Extract<ChannelConfig, { type: Type }>;
export type AlertLocale = AlertsConfig['locale'];
export type TemplateField = (typeof templateFields)[number];
