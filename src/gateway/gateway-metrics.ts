import { Counter, Histogram, type Registry } from 'prom-client';

/** The gateway's own HTTP metrics, beside the client's call metrics in one registry. */
export class GatewayMetrics {
  readonly requests: Counter<'route' | 'status'>;
  readonly duration: Histogram<'route'>;
  readonly overhead: Histogram;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'llmkit_http_requests_total',
      help: 'Gateway HTTP requests by route and status code',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'llmkit_http_request_duration_seconds',
      help: 'Gateway HTTP request latency, from the request to the end of the response',
      labelNames: ['route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    this.overhead = new Histogram({
      name: 'llmkit_gateway_overhead_seconds',
      help: 'Time spent in the gateway per call (x-llmkit-overhead-ms), upstream waits excluded',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers: [registry],
    });
  }
}
