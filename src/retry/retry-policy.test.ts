import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  AuthenticationError,
  ConflictError,
  errorFromResponse,
  InternalServerError,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
  QuotaExceededError,
  RateLimitError,
  StreamInterruptedError,
  TimeoutError,
} from '../errors/index.js';
import { retryDecision } from './retry-policy.js';
import { parseRetryAfterMs, readServerHints } from './server-hints.js';

const options = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 8_000 };
const half = () => 0.5;

describe('retryDecision, row by row', () => {
  it.each([
    ['408', errorFromResponse(408, {}), true],
    ['409', new ConflictError('conflict'), true],
    ['429', new RateLimitError('slow down'), true],
    ['500', new InternalServerError('boom'), true],
    ['503', errorFromResponse(503, {}), true],
    ['connection refused', new APIConnectionError('refused'), true],
    ['first-token timeout', new TimeoutError('first-token', 100), true],
    ['idle timeout', new TimeoutError('idle', 100), true],
    ['stream interrupted', new StreamInterruptedError('cut'), true],
    ['total timeout (the deadline)', new TimeoutError('total', 100), false],
    ['400', new InvalidRequestError('bad'), false],
    ['401', new AuthenticationError('who'), false],
    ['403', new PermissionDeniedError('no'), false],
    ['404', new NotFoundError('where'), false],
    ['429 insufficient_quota', errorFromResponse(429, { error: { code: 'insufficient_quota' } }), false],
  ])('%s → retry %s', (_name, error, expected) => {
    expect(retryDecision(error, options, { attempts: 1, random: half }).retry).toBe(expected);
  });

  it('x-should-retry: true retries even a class that is not retryable', () => {
    const error = errorFromResponse(400, {}, { shouldRetry: true });
    expect(retryDecision(error, options, { attempts: 1, random: half })).toMatchObject({ retry: true });
  });

  it('x-should-retry: false stops even a 503', () => {
    const error = errorFromResponse(503, {}, { shouldRetry: false });
    expect(retryDecision(error, options, { attempts: 1 })).toMatchObject({
      retry: false,
      reason: 'server sent x-should-retry: false',
    });
  });

  it('the server hint is used exactly, ahead of backoff', () => {
    const error = errorFromResponse(429, {}, { retryAfterMs: 1_234 });
    expect(retryDecision(error, options, { attempts: 1, random: half })).toEqual({
      retry: true,
      delayMs: 1_234,
      reason: 'server retry hint',
    });
  });

  it('a hint longer than the remaining deadline fails at once, naming the hint', () => {
    const error = errorFromResponse(429, {}, { retryAfterMs: 30_000 });
    const decision = retryDecision(error, options, { attempts: 1, remainingMs: 5_000 });
    expect(decision.retry).toBe(false);
    expect(decision.reason).toContain('30000 ms');
    expect(error.message).toContain('retry after 30000 ms');
  });

  it('a hint over the cap fails at once instead of sleeping for minutes', () => {
    const error = errorFromResponse(429, {}, { retryAfterMs: 600_000 });
    expect(retryDecision(error, options, { attempts: 1 })).toMatchObject({
      retry: false,
      deadlineExceeded: true,
    });
  });

  it('backoff is exponential with full jitter, capped', () => {
    const error = new InternalServerError('boom');
    const delays = [1, 2, 3].map((attempts) =>
      retryDecision(error, options, { attempts, random: () => 0.999999 }),
    );
    expect(delays.map((d) => (d.retry ? d.delayMs : -1))).toEqual([500, 1_000, 2_000]);
    const capped = retryDecision(
      error,
      { ...options, maxRetries: 10 },
      { attempts: 9, random: () => 0.999999 },
    );
    expect(capped).toMatchObject({ retry: true, delayMs: 8_000 });
    expect(retryDecision(error, options, { attempts: 1, random: () => 0 })).toMatchObject({ delayMs: 0 });
  });

  it('backoff is trimmed to the deadline', () => {
    const error = new InternalServerError('boom');
    const decision = retryDecision(error, options, { attempts: 3, remainingMs: 300, random: () => 0.999 });
    expect(decision).toMatchObject({ retry: true });
    expect(decision.retry && decision.delayMs).toBeLessThan(300);
  });

  it('stops after maxRetries', () => {
    const error = new InternalServerError('boom');
    expect(retryDecision(error, options, { attempts: 3 }).retry).toBe(true);
    expect(retryDecision(error, options, { attempts: 4 })).toMatchObject({
      retry: false,
      reason: 'gave up after 4 attempts',
    });
  });

  it('never retries once output reached the caller', () => {
    const error = new StreamInterruptedError('cut');
    expect(retryDecision(error, options, { attempts: 1, deliveredOutput: true }).retry).toBe(false);
  });

  it('does not retry errors that are not ours (bugs)', () => {
    expect(retryDecision(new TypeError('x is undefined'), options, { attempts: 1 }).retry).toBe(false);
  });

  it('QuotaExceededError is its own class', () => {
    expect(errorFromResponse(429, { error: { type: 'insufficient_quota', message: 'out' } })).toBeInstanceOf(
      QuotaExceededError,
    );
  });
});

describe('server hints', () => {
  const now = () => Date.parse('2026-01-01T00:00:00Z');
  it('prefers retry-after-ms over retry-after', () => {
    expect(parseRetryAfterMs('250', '10', now)).toBe(250);
  });
  it('reads retry-after seconds, fractional seconds and HTTP dates', () => {
    expect(parseRetryAfterMs(undefined, '3', now)).toBe(3_000);
    expect(parseRetryAfterMs(undefined, '1.5', now)).toBe(1_500);
    expect(parseRetryAfterMs(undefined, 'Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7_000);
    expect(parseRetryAfterMs(undefined, 'Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
  });
  it('ignores garbage', () => {
    expect(parseRetryAfterMs('soon', 'later', now)).toBeUndefined();
    expect(parseRetryAfterMs('-5', undefined, now)).toBeUndefined();
  });
  it('reads x-should-retry', () => {
    const headers: Record<string, string> = { 'x-should-retry': 'false', 'retry-after': '2' };
    expect(readServerHints((name) => headers[name], now)).toEqual({
      shouldRetry: false,
      retryAfterMs: 2_000,
    });
  });
});
