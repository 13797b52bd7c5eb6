import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

const settings = { enabled: true, failureThreshold: 3, windowMs: 1_000, cooldownMs: 500 };

describe('CircuitBreaker', () => {
  it('opens only when the threshold of failures falls within the window', () => {
    const breaker = new CircuitBreaker(settings);
    expect(breaker.failed(0, false)).toBe(false);
    expect(breaker.failed(600, false)).toBe(false);
    // The first failure has aged out of the window: two recent ones are not enough.
    expect(breaker.failed(1_200, false)).toBe(false);
    expect(breaker.state(1_200)).toBe('closed');
    expect(breaker.recentFailures(1_200)).toBe(2);
    expect(breaker.failed(1_300, false)).toBe(true);
    expect(breaker.state(1_300)).toBe('open');
    expect(breaker.acquire(1_400)).toBeUndefined();
  });

  it('lets exactly one probe through once the cooldown passed; its success closes', () => {
    const breaker = new CircuitBreaker({ ...settings, failureThreshold: 1 });
    breaker.failed(0, false);
    expect(breaker.available(499)).toBe(false);
    expect(breaker.state(500)).toBe('half-open');
    expect(breaker.available(500)).toBe(true);
    expect(breaker.acquire(500)).toBe('probe');
    expect(breaker.available(501)).toBe(false);
    expect(breaker.acquire(501)).toBeUndefined();
    breaker.succeeded(true);
    expect(breaker.state(502)).toBe('closed');
    expect(breaker.acquire(502)).toBe('call');
  });

  it('re-opens for a fresh cooldown when the probe fails', () => {
    const breaker = new CircuitBreaker({ ...settings, failureThreshold: 1 });
    breaker.failed(0, false);
    expect(breaker.acquire(600)).toBe('probe');
    expect(breaker.failed(650, true)).toBe(true);
    expect(breaker.state(1_100)).toBe('open');
    expect(breaker.state(1_150)).toBe('half-open');
  });

  it('lets another call probe when the probe ended without a verdict', () => {
    const breaker = new CircuitBreaker({ ...settings, failureThreshold: 1 });
    breaker.failed(0, false);
    expect(breaker.acquire(600)).toBe('probe');
    breaker.released(true);
    expect(breaker.acquire(601)).toBe('probe');
  });

  it('ignores stragglers: a late failure neither extends the cooldown nor a late success closes', () => {
    const breaker = new CircuitBreaker({ ...settings, failureThreshold: 1 });
    breaker.failed(0, false);
    expect(breaker.failed(400, false)).toBe(false);
    breaker.succeeded(false);
    expect(breaker.state(450)).toBe('open');
    expect(breaker.state(500)).toBe('half-open');
  });

  it('never opens when disabled', () => {
    const breaker = new CircuitBreaker({ ...settings, enabled: false, failureThreshold: 1 });
    expect(breaker.failed(0, false)).toBe(false);
    expect(breaker.acquire(1)).toBe('call');
  });
});
