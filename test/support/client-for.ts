import { Writable } from 'node:stream';
import { LLMClient, type LLMClientOptions } from '../../src/client/llm-client.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logging/logger.js';
import type { FakeUpstream } from '../../src/testing/index.js';

export interface ClientForOptions {
  overrides?: Record<string, unknown>;
  env?: Record<string, string>;
  clientOptions?: Partial<LLMClientOptions>;
}

/** A client whose default model is served by `upstream`, with log lines captured. */
export function clientFor(upstream: FakeUpstream, options: ClientForOptions = {}) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  const config = loadConfig({
    envFile: false,
    env: options.env ?? {},
    overrides: {
      defaultModel: 'fake/fake-model',
      providers: {
        fake: {
          baseURL: upstream.url,
          apiKeyRequired: false,
          ...(options.env?.['FAKE_API_KEY'] ? { apiKeyEnv: 'FAKE_API_KEY' } : {}),
        },
      },
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      // Tests that look at the ledger give it a temporary file; the rest keep the repo clean.
      ledger: { enabled: false },
      ...options.overrides,
    },
  });
  const logger = createLogger({ level: 'debug', stderrLevel: 'silent', destination });
  const client = new LLMClient({ config, logger, ...options.clientOptions });
  return { client, lines, logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
