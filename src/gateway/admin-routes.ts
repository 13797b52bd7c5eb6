import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { LLMClient } from '../client/llm-client.js';
import { LlmkitError } from '../errors/index.js';
import type { Authenticator } from './auth.js';
import { GatewayError } from './gateway-errors.js';
import { type KeyStore, parseBudget } from './keys/key-store.js';
import { fieldPath } from './openai-request.js';

const newKeySchema = z.strictObject({
  name: z.string({ error: 'is required: a name for the key' }).min(1, { error: 'must not be empty' }),
  /** "10/day", as `llmkit keys create --budget` takes it. */
  budget: z.string({ error: 'must be USD/period such as "10/day"' }).optional(),
  rpm: z.number().int().min(1, { error: 'must be a whole number > 0' }).optional(),
  tpm: z.number().int().min(1, { error: 'must be a whole number > 0' }).optional(),
  models: z.array(z.string().min(1), { error: 'must be a list of model names' }).min(1).optional(),
});

function badInput(error: z.ZodError): GatewayError {
  const issue = error.issues[0]!;
  const param = fieldPath(issue.path);
  return new GatewayError(400, 'invalid_request', `${param || 'body'} ${issue.message}`, {
    ...(param ? { param } : {}),
  });
}

/** `/admin/*`: keys, usage and target health, for the holder of the master key only. */
export function registerAdminRoutes(
  app: FastifyInstance,
  services: { client: LLMClient; keys: KeyStore; auth: Authenticator },
): void {
  const { client, keys, auth } = services;
  app.addHook('onRequest', async (request) => {
    // The matched route, not the raw URL: the router decodes `/%61dmin/keys` to `/admin/keys`.
    if (request.routeOptions.url?.startsWith('/admin/')) auth.admin(request.headers);
  });

  app.post('/admin/keys', async (request, reply) => {
    const parsed = newKeySchema.safeParse(request.body);
    if (!parsed.success) throw badInput(parsed.error);
    const { budget, ...rest } = parsed.data;
    let limits: ReturnType<typeof parseBudget> | undefined;
    try {
      limits = budget === undefined ? undefined : parseBudget(budget);
    } catch (error) {
      throw new GatewayError(
        400,
        'invalid_request',
        LlmkitError.isInstance(error) ? error.message : String(error),
        {
          param: 'budget',
        },
      );
    }
    const created = keys.create({
      name: rest.name,
      ...(rest.rpm === undefined ? {} : { rpm: rest.rpm }),
      ...(rest.tpm === undefined ? {} : { tpm: rest.tpm }),
      ...(rest.models === undefined ? {} : { models: rest.models }),
      ...(limits ? { budget: limits } : {}),
    });
    reply.code(201);
    return { key: created.key, ...created.record };
  });

  app.get('/admin/keys', async () => ({ object: 'list', data: keys.list() }));

  app.delete<{ Params: { key: string } }>('/admin/keys/:key', async (request) => {
    const revoked = keys.revoke(request.params.key);
    if (!revoked) {
      throw new GatewayError(404, 'key_not_found', `no active key named or with id "${request.params.key}"`, {
        type: 'not_found_error',
        hint: 'GET /admin/keys lists the keys',
      });
    }
    return revoked;
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/admin/usage', async (request) => {
    const { period, since, until, groupBy, provider, model } = request.query;
    if (!client.ledger) {
      throw new GatewayError(404, 'ledger_disabled', 'the usage ledger is off (ledger.enabled: false)', {
        type: 'not_found_error',
      });
    }
    try {
      return await client.usage.summary({
        ...(period ? { period: period as '7d' } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
        ...(groupBy ? { groupBy } : {}),
        ...(provider ? { provider } : {}),
        ...(model ? { model } : {}),
      });
    } catch (error) {
      if (LlmkitError.isInstance(error) && error.code === 'usage') {
        throw new GatewayError(400, 'invalid_request', error.message);
      }
      throw error;
    }
  });

  app.get('/admin/targets', async () => ({ object: 'list', data: client.targets() }));
}
