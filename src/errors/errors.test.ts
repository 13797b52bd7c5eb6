import { describe, expect, it } from 'vitest';
import { GatewayError } from '../gateway/gateway-errors.js';
import {
  AbortedError,
  APIConnectionError,
  APIError,
  AuthenticationError,
  BudgetExceededError,
  ConfigError,
  ConflictError,
  errorFromResponse,
  exitCodes,
  InternalServerError,
  InvalidRequestError,
  InvalidResponseError,
  LlmkitError,
  NoHealthyTargetError,
  NotFoundError,
  PermissionDeniedError,
  QuotaExceededError,
  RateLimitError,
  RateLimitedError,
  StreamInterruptedError,
  TimeoutError,
  UnexpectedStatusError,
  UsageError,
} from './index.js';
import { troubleshooting } from './troubleshooting.js';

const context = { provider: 'deepseek', model: 'deepseek-chat', requestId: 'req_123' };

describe('errorFromResponse picks one class per status', () => {
  it.each([
    [400, InvalidRequestError, 'invalid_request'],
    [422, InvalidRequestError, 'invalid_request'],
    [401, AuthenticationError, 'authentication'],
    [403, PermissionDeniedError, 'permission_denied'],
    [404, NotFoundError, 'not_found'],
    [409, ConflictError, 'conflict'],
    [429, RateLimitError, 'rate_limit'],
    [500, InternalServerError, 'server_error'],
    [502, InternalServerError, 'server_error'],
    [503, InternalServerError, 'server_error'],
    [413, UnexpectedStatusError, 'unexpected_status'],
  ])('%i → %o', (status, type, code) => {
    const error = errorFromResponse(status, { error: { message: 'upstream says no', code: 'x' } }, context);
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(APIError);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.provider).toBe('deepseek');
    expect(error.model).toBe('deepseek-chat');
    expect(error.requestId).toBe('req_123');
    expect(error.exitCode).toBe(exitCodes.provider);
    expect(error.message).toContain('deepseek/deepseek-chat returned');
    expect(error.message).toContain('upstream says no');
    expect(error.message).not.toContain('\n');
  });

  it('insufficient_quota is a QuotaExceededError, not retryable', () => {
    const error = errorFromResponse(429, {
      error: { code: 'insufficient_quota', message: 'You exceeded your quota' },
    });
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(error.retryable).toBe(false);
  });

  it('429 carries retryAfterMs from the headers', () => {
    const error = errorFromResponse(429, {}, { retryAfterMs: 2_000 });
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(2_000);
  });

  it('reads bodies of other shapes: a bare message, a string error, nothing', () => {
    expect(errorFromResponse(500, { message: 'flat' }).message).toContain('flat');
    expect(errorFromResponse(500, { error: 'as a string' }).message).toContain('as a string');
    expect(errorFromResponse(500, 'not an object').message).toContain('returned 500');
  });

  it('a multi-line upstream message becomes one line', () => {
    const error = errorFromResponse(500, { error: { message: 'Traceback:\n  line 1\n  line 2' } });
    expect(error.message).not.toContain('\n');
  });
});

describe('every class ends with its troubleshooting hint and carries its exit code', () => {
  it.each([
    [new ConfigError('bad key'), 'llmkit config check', exitCodes.usage],
    [new UsageError('no prompt'), '--help', exitCodes.usage],
    [new AuthenticationError('401'), 'llmkit config check', exitCodes.provider],
    [new RateLimitError('429'), 'lower concurrency', exitCodes.provider],
    [new APIConnectionError('refused'), 'proxy', exitCodes.provider],
    [new TimeoutError('idle', 5), 'timeout', exitCodes.provider],
    [new StreamInterruptedError('cut'), 'stream', exitCodes.provider],
    [new InvalidResponseError('html'), 'base URL', exitCodes.provider],
    [new AbortedError(), 'AbortSignal', exitCodes.interrupted],
  ])('%o', (error, hint, exitCode) => {
    expect(error.message.endsWith(`(${error.hint})`)).toBe(true);
    expect(error.hint).toContain(hint);
    expect(error.exitCode).toBe(exitCode);
    expect(error.name).toBe(error.constructor.name);
  });

  it('TimeoutError says which timeout fired', () => {
    const error = new TimeoutError('first-token', 1_500);
    expect(error.timeout).toBe('first-token');
    expect(error.message).toContain('first-token timeout of 1500 ms');
    expect(error.toJSON()).toMatchObject({ timeout: 'first-token', timeoutMs: 1_500 });
  });
});

describe('the troubleshooting table', () => {
  // `troubleshooting[error.code]` is how doctor and users find the row: it must name the error they saw.
  it.each([
    new RateLimitError('429'),
    new QuotaExceededError('402'),
    new APIConnectionError('refused'),
    new TimeoutError('idle', 5),
    new InvalidRequestError('bad'),
    new AuthenticationError('401'),
    new NotFoundError('404'),
    new RateLimitedError('over rpm', { retryAfterMs: 1_000 }),
    new NoHealthyTargetError('all open'),
    new BudgetExceededError('spent'),
    new GatewayError(401, 'invalid_api_key', 'no API key given'),
    new GatewayError(400, 'model_not_found', 'unknown model'),
    new GatewayError(413, 'request_too_large', 'too big'),
  ])('has a row for $code naming $name', (error) => {
    expect(troubleshooting[error.code]?.error).toBe(error.name);
  });
});

describe('LlmkitError.isInstance', () => {
  it('recognises errors from another copy of the package by the global brand', () => {
    const foreign = Object.assign(new Error('from another copy'), { [Symbol.for('llmkit.error')]: true });
    expect(LlmkitError.isInstance(foreign)).toBe(true);
    expect(LlmkitError.isInstance(new Error('plain'))).toBe(false);
    expect(LlmkitError.isInstance(null)).toBe(false);
    expect(LlmkitError.isInstance(new RateLimitError('x'))).toBe(true);
  });
});
