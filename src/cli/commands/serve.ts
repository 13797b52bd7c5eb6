import type { Command } from 'commander';
import { ConfigError, LlmkitError } from '../../errors/index.js';
import { createGateway } from '../../gateway/gateway.js';
import { KeyStore } from '../../gateway/keys/key-store.js';
import type { FakeUpstream } from '../../testing/index.js';
import { createFakeUpstream } from '../../testing/index.js';
import { cliClient, loadCliConfig, parseNumber, reportError } from '../cli-context.js';

interface ServeFlags {
  host?: string;
  port?: number;
  demo?: boolean;
}

const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** `llmkit serve`: the OpenAI-compatible gateway over the client's pipeline. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the OpenAI-compatible gateway (POST /v1/chat/completions, /generate, /metrics...)')
    .option('--host <host>', 'address to listen on (default gateway.host, 127.0.0.1)')
    .option(
      '--port <port>',
      'port to listen on (default gateway.port, 8700; 0 picks a free one)',
      parseNumber('--port', true),
    )
    .option(
      '--demo',
      'add a provider "demo" backed by the bundled fake upstream, so it answers without any API key',
    )
    .action(async (flags: ServeFlags, command: Command) => {
      try {
        await serve(flags, command);
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}

class ServeError extends LlmkitError {
  override readonly code = 'serve';
}

async function serve(flags: ServeFlags, command: Command): Promise<void> {
  let upstream: FakeUpstream | undefined;
  const overrides: Record<string, unknown> = {
    gateway: {
      ...(flags.host ? { host: flags.host } : {}),
      ...(flags.port === undefined ? {} : { port: flags.port }),
    },
  };
  if (flags.demo) {
    upstream = await createFakeUpstream({ models: ['demo-model'] });
    overrides['providers'] = { demo: { baseURL: upstream.url, apiKeyRequired: false } };
    overrides['prices'] = { 'demo/demo-model': { input: 0.15, output: 0.6 } };
  }
  let loaded = loadCliConfig(command, overrides);
  if (flags.demo && loaded.config.defaultModel === undefined) {
    loaded = loadCliConfig(command, { ...overrides, defaultModel: 'demo/demo-model' });
  }
  const settings = loaded.config.gateway;
  const keys = KeyStore.open(settings.keysPath!);
  const client = cliClient(command, loaded);
  const gateway = createGateway({ client, keys });
  const masterKey = loaded.env[settings.masterKeyEnv];
  const open = settings.auth === 'auto' && !masterKey && keys.count() === 0;
  if (open && !loopback.test(settings.host)) {
    await gateway.shutdown();
    await upstream?.close();
    throw new ConfigError(`refusing to serve ${settings.host} without authentication`, {
      hint: `set ${settings.masterKeyEnv}, create a key with \`llmkit keys create\`, or listen on 127.0.0.1`,
    });
  }
  let url: string;
  try {
    url = await gateway.listen();
  } catch (error) {
    await gateway.shutdown();
    await upstream?.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new ServeError(
        `cannot listen on ${settings.host}:${settings.port} (${code})`,
        'pass --port with a free port, or stop the process using it',
      );
    }
    throw error;
  }
  const auth = open ? 'off: no keys yet (create one with `llmkit keys create`)' : 'on';
  // stdout, so a script that asked for --port 0 can read the address.
  process.stdout.write(`llmkit gateway listening on ${url}\n`);
  process.stderr.write(
    `llmkit: auth ${auth}; ledger ${loaded.config.ledger.enabled ? loaded.config.ledger.path : 'off'}\n`,
  );
  if (flags.demo) {
    process.stderr.write(
      `llmkit: demo provider ready; try: curl ${url}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"demo/demo-model","messages":[{"role":"user","content":"hello"}]}'\n`,
    );
  }
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`llmkit: ${signal} again: exiting without draining\n`);
      process.exit(130);
    }
    process.stderr.write(
      `llmkit: ${signal}: draining calls in flight (up to ${settings.shutdownGraceMs} ms), then exiting\n`,
    );
    void gateway
      .shutdown()
      .then(() => upstream?.close())
      .then(() => process.stderr.write('llmkit: gateway stopped; ledger flushed\n'))
      .catch((error: unknown) => {
        process.exitCode = reportError(error);
      })
      .finally(() => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
