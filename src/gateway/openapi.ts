import { type ZodType, z } from 'zod';

const errorBody = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        param: { type: ['string', 'null'] },
        code: { type: 'string' },
      },
      required: ['message', 'type', 'code'],
    },
  },
};

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: 'OpenAI-shaped error', content: { 'application/json': { schema: errorBody } } },
    ]),
  );

const json = (description: string, schema: Record<string, unknown> = { type: 'object' }) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The gateway's OpenAPI 3.1 description, served at `/openapi.json`. */
export function openApiDocument(chatSchema: ZodType) {
  const bearer = [{ bearer: [] }];
  return {
    openapi: '3.1.0',
    info: {
      title: 'llmkit gateway',
      version: '0.1.0',
      description:
        'OpenAI-compatible gateway: one pipeline of guards, budgets, rate limits, cache, routing and retries.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths: {
      '/v1/chat/completions': {
        post: {
          summary: 'Chat completion (OpenAI-compatible); `stream: true` answers with SSE and a usage chunk',
          security: bearer,
          parameters: [
            {
              name: 'x-llmkit-cache',
              in: 'header',
              required: false,
              description: 'on, off, or a TTL in seconds',
              schema: { type: 'string' },
            },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: z.toJSONSchema(chatSchema, { io: 'input', unrepresentable: 'any' }),
              },
            },
          },
          responses: {
            '200': json('A chat.completion object, or text/event-stream of chat.completion.chunk events'),
            ...errors(400, 401, 403, 413, 429, 502, 503, 504),
          },
        },
      },
      '/generate': {
        post: {
          summary: 'The original brief: { text, temperature = 0.7 } returns { result }',
          security: bearer,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['text'],
                  properties: {
                    text: { type: 'string' },
                    temperature: { type: 'number', default: 0.7 },
                    model: { type: 'string' },
                    max_tokens: { type: 'integer' },
                  },
                },
              },
            },
          },
          responses: {
            '200': json('The answer', { type: 'object', properties: { result: { type: 'string' } } }),
            ...errors(400, 401, 429, 502),
          },
        },
      },
      '/v1/models': {
        get: {
          summary: 'Models, routes and aliases served',
          security: bearer,
          responses: { '200': json('A list') },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { '200': json('ok') } } },
      '/readyz': {
        get: {
          summary: 'Readiness; 503 while shutting down',
          responses: { '200': json('ready'), '503': json('shutting down') },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'text exposition format' } },
        },
      },
      '/admin/keys': {
        get: {
          summary: 'List gateway keys (never their secrets)',
          security: bearer,
          responses: { '200': json('A list') },
        },
        post: {
          summary: 'Create a key; the response is the only time it is shown',
          security: bearer,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['name'],
                  properties: {
                    name: { type: 'string' },
                    budget: { type: 'string', description: 'USD/period, e.g. 10/day' },
                    rpm: { type: 'integer' },
                    tpm: { type: 'integer' },
                    models: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
            },
          },
          responses: { '201': json('The key and its record'), ...errors(400, 401, 403) },
        },
      },
      '/admin/keys/{key}': {
        delete: {
          summary: 'Revoke a key by name or id',
          security: bearer,
          parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': json('The revoked key'), ...errors(401, 403, 404) },
        },
      },
      '/admin/usage': {
        get: {
          summary: 'Spend and tokens from the ledger (period, since, until, groupBy, provider, model)',
          security: bearer,
          responses: { '200': json('A usage summary'), ...errors(400, 401, 403) },
        },
      },
      '/admin/targets': {
        get: {
          summary: 'Route targets and their circuit breakers',
          security: bearer,
          responses: { '200': json('A list') },
        },
      },
    },
  };
}
