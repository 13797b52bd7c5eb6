// Load for the gateway bench: closed-loop autocannon runs (sweep) and many slow open streams.
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(new URL('./package.json', import.meta.url));
let autocannon;
try {
  autocannon = require('autocannon');
} catch {
  throw new Error('autocannon is not installed: run `npm --prefix bench install`');
}
export const autocannonVersion = require('autocannon/package.json').version;

/** A growable list of latencies; `quantile` sorts once. */
class Latencies {
  values = new Float64Array(1 << 16);
  length = 0;
  push(value) {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
  sorted() {
    return this.values.subarray(0, this.length).sort();
  }
}

/** Nearest-rank quantile of an ascending array. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Runs autocannon for `seconds` with `connections` keep-alive connections, each sending the next
 * request when the previous answer ends. Latencies come from autocannon's `response` events in
 * full (sub-millisecond) resolution: its own histogram keeps whole milliseconds, too coarse for
 * an overhead of a fraction of one.
 */
export function runLoad({ url, headers, body, connections, seconds }) {
  const latencies = new Latencies();
  const statuses = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        connections,
        duration: seconds,
        timeout: 30,
      },
      (error, result) => {
        if (error) return reject(error);
        const sorted = latencies.sorted();
        resolve({
          requests: sorted.length,
          seconds: result.duration,
          requestsPerSecond: sorted.length / result.duration,
          p50: quantile(sorted, 0.5),
          p99: quantile(sorted, 0.99),
          max: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statuses,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

/**
 * Opens `count` streaming requests spread over `rampSeconds`, each on its own connection, and
 * reads them to the end. Reports how many were streaming at once (first byte received, not yet
 * ended), time to first byte, and which ended without `data: [DONE]`.
 */
export async function openStreams({ url, headers, body, count, rampSeconds, timeoutSeconds }) {
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const target = new URL(url);
  const firstBytes = new Latencies();
  const outcome = { completed: 0, failed: 0, statuses: {}, errors: {} };
  let streaming = 0;
  let maxStreaming = 0;
  const started = performance.now();

  function one() {
    return new Promise((resolve) => {
      const sent = performance.now();
      let settled = false;
      const settle = (ok, errorCode) => {
        if (settled) return;
        settled = true;
        if (ok) outcome.completed++;
        else outcome.failed++;
        if (errorCode) outcome.errors[errorCode] = (outcome.errors[errorCode] ?? 0) + 1;
        resolve();
      };
      const request = httpRequest(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...headers,
          },
        },
        (response) => {
          outcome.statuses[response.statusCode] = (outcome.statuses[response.statusCode] ?? 0) + 1;
          let tail = '';
          let first = true;
          response.setEncoding('utf8');
          response.on('data', (chunk) => {
            if (first) {
              first = false;
              firstBytes.push(performance.now() - sent);
              maxStreaming = Math.max(maxStreaming, ++streaming);
            }
            tail = (tail + chunk).slice(-64);
          });
          response.on('close', () => {
            if (!first) streaming--;
            settle(response.statusCode === 200 && response.complete && tail.includes('[DONE]'));
          });
        },
      );
      request.setTimeout(timeoutSeconds * 1000, () => request.destroy(new Error('timeout')));
      request.on('error', (error) => settle(false, error.code ?? error.message));
      request.end(body);
    });
  }

  const pending = [];
  const batches = Math.max(1, Math.round(rampSeconds * 10));
  const perBatch = Math.ceil(count / batches);
  for (let opened = 0; opened < count; opened += perBatch) {
    for (let index = opened; index < Math.min(count, opened + perBatch); index++) pending.push(one());
    if (opened + perBatch < count) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await Promise.all(pending);
  agent.destroy();
  const sorted = firstBytes.sorted();
  return {
    ...outcome,
    maxStreaming,
    seconds: (performance.now() - started) / 1000,
    firstByteP50: quantile(sorted, 0.5),
    firstByteP99: quantile(sorted, 0.99),
  };
}
