import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { z } from 'zod';
import type { LLMClient } from '../client/llm-client.js';
import type { OpenCall } from '../client/open-call.js';
import { resolveModel } from '../config/resolve-model.js';
import { AbortedError, LlmkitError } from '../errors/index.js';
import { countTokens } from '../tokens/index.js';
import { registerAdminRoutes } from './admin-routes.js';
import { Authenticator, type Caller } from './auth.js';
import { type CallServices, cacheHeader, checkModel, runCall } from './chat-route.js';
import { GatewayError, httpError } from './gateway-errors.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { GatewayModels } from './gateway-models.js';
import type { GatewaySettings } from './gateway-schema.js';
import type { KeyStore } from './keys/key-store.js';
import { callFromBody, chatRequestSchema, fieldPath } from './openai-request.js';
import { completionBody } from './openai-response.js';
import { openApiDocument } from './openapi.js';

export interface GatewayOptions {
  client: LLMClient;
  keys: KeyStore;
  /** Default: the client's `gateway` config. */
  settings?: GatewaySettings;
}

export interface Gateway {
  readonly app: FastifyInstance;
  /** Listens on `settings.host`/`settings.port`; resolves with the base URL. */
  listen(): Promise<string>;
  /**
   * Graceful stop: `/readyz` turns 503, new calls are refused, calls in flight run on until
   * `shutdownGraceMs` and are then cut (streams end with an error event), then the ledger is flushed.
   */
  shutdown(): Promise<void>;
  readonly inflight: ReadonlySet<OpenCall>;
}

const generateSchema = z.looseObject({
  text: z.string({ error: 'is required: the prompt text' }).min(1, { error: 'must not be empty' }),
  temperature: z.number({ error: 'must be a number' }).min(0).max(2).default(0.7),
  model: z.string().min(1).optional(),
  max_tokens: z.number().int().min(1).optional(),
});

// Routes that answer while the gateway shuts down, so orchestrators can watch it go.
const alwaysOpen = new Set(['/healthz', '/readyz', '/metrics']);

declare module 'fastify' {
  interface FastifyRequest {
    startedAt: number;
    caller: Caller | undefined;
  }
}

function badBody(error: z.ZodError): GatewayError {
  const issue = error.issues[0]!;
  const param = fieldPath(issue.path);
  const message = issue.message.startsWith(param) ? issue.message : `${param} ${issue.message}`;
  if (!param) {
    return new GatewayError(400, 'invalid_request', 'the request body must be a JSON object', {
      hint: 'send a JSON object with "Content-Type: application/json"',
    });
  }
  return new GatewayError(400, 'invalid_request', message, {
    ...(param ? { param } : {}),
    hint: 'see the OpenAI chat completions reference, or GET /openapi.json',
  });
}

export function createGateway(options: GatewayOptions): Gateway {
  const { client, keys } = options;
  const settings = options.settings ?? client.config.config.gateway;
  const masterKey = client.config.env[settings.masterKeyEnv];
  const auth = new Authenticator(keys, masterKey || undefined, settings.auth);
  const models = new GatewayModels(client.config);
  const metrics = new GatewayMetrics(client.metrics.registry);
  const inflight = new Set<OpenCall>();
  const services: CallServices = { client, auth, models, settings, metrics, inflight };
  const chatSchema = chatRequestSchema(settings.maxChoices);
  let closing: Promise<void> | undefined;

  const app = Fastify({
    loggerInstance: client.logger as unknown as FastifyBaseLogger,
    // Every call is logged once by the settle step; fastify's per-request lines would double it.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: settings.bodyLimitBytes,
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    // On close, idle keep-alive connections go at once; a request still being answered (a key
    // check, a refused call) finishes first. The shutdown cuts what is left after a second.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    serverFactory: (handler) =>
      createServer(
        {
          headersTimeout: Math.min(settings.headersTimeoutMs, settings.requestTimeoutMs),
          requestTimeout: settings.requestTimeoutMs,
          keepAliveTimeout: settings.keepAliveTimeoutMs,
          // How often the two timeouts above are checked; Node's default (30 s) lets a slow client linger.
          connectionsCheckingInterval: Math.min(1_000, settings.headersTimeoutMs),
        },
        handler as (request: IncomingMessage, response: ServerResponse) => void,
      ),
  });
  // JSON.parse is the fastest parser here; an empty body (a DELETE from some clients) is no body.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      const failure = error as FastifyError;
      failure.statusCode = 400;
      done(failure, undefined);
    }
  });
  app.decorateRequest('startedAt', 0);
  app.decorateRequest('caller', undefined);

  // Refusals of bad input are recorded like calls: logs, metrics and a ledger row.
  const refuse = (request: FastifyRequest, error: LlmkitError, model?: unknown) => {
    const policy = request.caller?.policy;
    void client
      .recordRefusal(error, {
        ...(typeof model === 'string' ? { model } : {}),
        ...(policy ? { key: policy } : {}),
      })
      .catch((failure: unknown) => client.logger.error({ err: failure }, 'recording a refusal failed'));
    return error;
  };

  app.addHook('onRequest', async (request, reply) => {
    request.startedAt = performance.now();
    const route = request.routeOptions.url ?? 'unmatched';
    reply.raw.once('close', () => {
      metrics.requests.inc({ route, status: reply.raw.statusCode });
      metrics.duration.observe({ route }, (performance.now() - request.startedAt) / 1000);
    });
    const refuseWhileClosing = () => {
      if (!closing || alwaysOpen.has(route)) return;
      reply.header('connection', 'close');
      throw new GatewayError(503, 'shutting_down', 'the gateway is shutting down', {
        type: 'server_error',
        hint: 'retry against another instance',
      });
    };
    refuseWhileClosing();
    if (route === '/v1/chat/completions' || route === '/generate' || route === '/v1/models') {
      request.caller = await auth.caller(request.headers);
      // A first key check takes milliseconds: a shutdown may have begun meanwhile.
      refuseWhileClosing();
    }
  });

  app.setErrorHandler((error: FastifyError | LlmkitError, request, reply) => {
    let failure: LlmkitError;
    if (LlmkitError.isInstance(error)) failure = error;
    else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      failure = new GatewayError(
        413,
        'request_too_large',
        `the request body is over ${settings.bodyLimitBytes} bytes`,
        {
          hint: 'send a smaller request or raise gateway.bodyLimitBytes',
        },
      );
    } else if (error.statusCode === 400 || error.statusCode === 415) {
      failure = new GatewayError(
        error.statusCode,
        'invalid_request',
        `the request body is not valid JSON: ${error.message}`,
        {
          hint: 'send a JSON body with "Content-Type: application/json"',
        },
      );
    } else {
      request.log.error({ err: error }, 'gateway request failed');
      failure = new GatewayError(
        500,
        'internal_error',
        'internal gateway error; the gateway log has the details',
        {
          type: 'server_error',
        },
      );
    }
    // Bad bodies fastify refused before the handler ran are recorded here; the handler records its own.
    if (
      !LlmkitError.isInstance(error) &&
      (request.routeOptions.url === '/v1/chat/completions' || request.routeOptions.url === '/generate')
    ) {
      refuse(request, failure);
    }
    const shaped = httpError(failure);
    if (failure.status === 413) reply.header('connection', 'close');
    return reply.code(shaped.status).headers(shaped.headers).send(shaped.body);
  });

  app.post('/v1/chat/completions', async (request, reply) => {
    const parsed = chatSchema.safeParse(request.body);
    const body = request.body as Record<string, unknown> | undefined;
    if (!parsed.success) throw refuse(request, badBody(parsed.error), body?.['model']);
    const caller = request.caller!;
    try {
      checkModel(services, caller, parsed.data.model);
    } catch (error) {
      throw refuse(request, error as LlmkitError, parsed.data.model);
    }
    const { prompt, options } = callFromBody(parsed.data);
    const cache = cacheHeader(request.headers['x-llmkit-cache']);
    if (cache !== undefined) options.cache = cache;
    if (caller.policy) options.key = caller.policy;
    const model = parsed.data.model;
    await runCall(
      services,
      reply,
      request.startedAt,
      { prompt, options, stream: parsed.data.stream === true },
      (result, context) =>
        completionBody(result, result.responseId ?? `chatcmpl-${context.requestId}`, model),
    );
  });

  app.post('/generate', async (request, reply) => {
    const parsed = generateSchema.safeParse(request.body ?? {});
    if (!parsed.success)
      throw refuse(request, badBody(parsed.error), (request.body as { model?: unknown } | undefined)?.model);
    const caller = request.caller!;
    const model = parsed.data.model ?? client.config.config.defaultModel;
    if (model !== undefined) checkModel(services, caller, model);
    await runCall(
      services,
      reply,
      request.startedAt,
      {
        prompt: parsed.data.text,
        options: {
          ...(model ? { model } : {}),
          temperature: parsed.data.temperature,
          ...(parsed.data.max_tokens ? { maxTokens: parsed.data.max_tokens } : {}),
          ...(caller.policy ? { key: caller.policy } : {}),
        },
        stream: false,
      },
      (result) => ({ result: result.text }),
    );
  });

  app.get('/v1/models', async (request) => {
    const allowed = request.caller?.key?.models;
    const data = allowed ? models.entries.filter((entry) => allowed.includes(entry.id)) : models.entries;
    return { object: 'list', data };
  });

  app.setNotFoundHandler((request, reply) => {
    const shaped = httpError(
      new GatewayError(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`, {
        type: 'not_found_error',
        hint: 'GET /openapi.json lists the routes',
      }),
    );
    return reply.code(404).send(shaped.body);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (closing) return reply.code(503).send({ status: 'shutting down' });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', client.metrics.registry.contentType);
    return client.metrics.registry.metrics();
  });
  const openapi = openApiDocument(chatSchema);
  app.get('/openapi.json', async () => openapi);

  registerAdminRoutes(app, { client, keys, auth });

  const shutdown = () => {
    closing ??= (async () => {
      const deadline = Date.now() + settings.shutdownGraceMs;
      while (inflight.size > 0 && Date.now() < deadline) {
        await Promise.race([
          Promise.allSettled([...inflight].map((call) => call.record)),
          new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref()),
        ]);
      }
      for (const call of inflight) call.abort(new AbortedError({ cause: 'the gateway shut down' }));
      await Promise.allSettled([...inflight].map((call) => call.record));
      const cut = setTimeout(() => app.server.closeAllConnections(), 1_000).unref();
      await app.close();
      clearTimeout(cut);
      await client.close();
      keys.close();
    })();
    return closing;
  };

  return {
    app,
    inflight,
    async listen() {
      // Load the tokenizer now, not on the first request (a few hundred milliseconds).
      try {
        const { provider, model } = resolveModel(undefined, client.config.config);
        countTokens('warm up', `${provider}/${model}`);
      } catch {
        // No default model: the first call of each model loads its own.
      }
      return app.listen({ host: settings.host, port: settings.port });
    },
    shutdown,
  };
}
