import { performance } from 'node:perf_hooks';
import { responsePartStream } from '../../providers/response-parts.js';
import type { NamedStep } from '../pipeline.js';

/** Calls the adapter. A non-streaming response becomes the same parts a stream would carry. */
export const providerStep: NamedStep = {
  name: 'provider',
  async run(context) {
    const target = context.target;
    if (!target) throw new Error('the provider step ran before the route step');
    const options = { signal: context.attemptSignal ?? context.signal, headers: context.headers };
    if (context.mode === 'stream') return target.languageModel.stream(context.request, options);
    // Time spent waiting on the upstream, so the gateway can report its own overhead without it.
    const sent = performance.now();
    try {
      return responsePartStream(await target.languageModel.generate(context.request, options));
    } finally {
      context.upstreamMs = (context.upstreamMs ?? 0) + performance.now() - sent;
    }
  },
};
