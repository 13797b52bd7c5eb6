import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import type { Command } from 'commander';
import type { LoadedConfig } from '../../config/load-config.js';
import { resolveModel } from '../../config/resolve-model.js';
import { resolveApiKey } from '../../config/secrets.js';
import { LlmkitError, UsageError } from '../../errors/index.js';
import { type TroubleshootingRow, troubleshooting } from '../../errors/troubleshooting.js';
import { cliClient, closeQuietly, loadCliConfig, parseNumber, reportError } from '../cli-context.js';

interface Check {
  name: 'key' | 'dns' | 'connect' | 'auth' | 'models';
  ok: boolean;
  detail: string;
}

interface ProviderReport {
  provider: string;
  baseURL: string;
  ok: boolean;
  checks: Check[];
  models: string[];
  troubleshooting: TroubleshootingRow[];
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check each configured provider: key, DNS, connection, authentication, models')
    .option('-p, --provider <name...>', 'check only these providers')
    .option('--timeout <ms>', 'per-check timeout in ms (default 5000)', parseNumber('--timeout', true, 1))
    .option('--json', 'print the report as JSON')
    .action(async (options: { provider?: string[]; timeout?: number; json?: boolean }, command: Command) => {
      try {
        const loaded = loadCliConfig(command);
        const client = cliClient(command, loaded);
        const unknown = options.provider?.find((name) => !loaded.config.providers[name]);
        if (unknown !== undefined) {
          const known = Object.keys(loaded.config.providers).join(', ');
          throw new UsageError(`unknown provider "${unknown}"`, { hint: `use one of ${known}` });
        }
        const names = options.provider ?? providersToCheck(loaded);
        const reports: ProviderReport[] = [];
        for (const name of names) {
          reports.push(await checkProvider(name, loaded, client, options.timeout ?? 5000));
        }
        if (options.json)
          process.stdout.write(
            `${JSON.stringify({ ok: reports.every((r) => r.ok), providers: reports }, null, 2)}\n`,
          );
        else process.stdout.write(formatReports(reports));
        process.exitCode = reports.every((report) => report.ok) ? 0 : 3;
        await closeQuietly(client);
      } catch (error) {
        process.exitCode = reportError(error, options.json);
      }
    });
}

/** The provider of the default model, providers named in the config file, and presets whose key is set. */
function providersToCheck(loaded: LoadedConfig): string[] {
  const { defaultModel, defaultProvider } = loaded.config;
  const names = new Set<string>([
    defaultModel ? resolveModel(defaultModel, loaded.config).provider : defaultProvider,
  ]);
  for (const [key, source] of Object.entries(loaded.sources)) {
    const match = /^providers\.([^.]+)\./.exec(key);
    if (match?.[1] && source !== 'default' && source !== 'preset') names.add(match[1]);
  }
  for (const [name, provider] of Object.entries(loaded.config.providers)) {
    if (provider.apiKeyEnv && loaded.env[provider.apiKeyEnv]) names.add(name);
  }
  return [...names].filter((name) => loaded.config.providers[name]);
}

async function checkProvider(
  name: string,
  loaded: LoadedConfig,
  client: ReturnType<typeof cliClient>,
  timeoutMs: number,
): Promise<ProviderReport> {
  const settings = loaded.config.providers[name];
  const baseURL = settings?.baseURL ?? '';
  const report: ProviderReport = {
    provider: name,
    baseURL,
    ok: false,
    checks: [],
    models: [],
    troubleshooting: [],
  };
  const fail = (check: Check, row: string) => {
    report.checks.push(check);
    const help = troubleshooting[row];
    if (help && !report.troubleshooting.includes(help)) report.troubleshooting.push(help);
    return report;
  };
  if (!settings) return fail({ name: 'key', ok: false, detail: `unknown provider "${name}"` }, 'not_found');
  let key: ReturnType<typeof resolveApiKey>;
  try {
    key = resolveApiKey(name, loaded);
  } catch (error) {
    return fail({ name: 'key', ok: false, detail: describe(error) }, 'missing_key');
  }
  if (key.value) report.checks.push({ name: 'key', ok: true, detail: `found (${key.source})` });
  else if (settings.apiKeyRequired) {
    return fail(
      { name: 'key', ok: false, detail: `missing: set ${settings.apiKeyEnv ?? 'the key variable'}` },
      'missing_key',
    );
  } else report.checks.push({ name: 'key', ok: true, detail: 'not required' });

  const url = new URL(baseURL.replaceAll('{model}', 'model'));
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const proxy = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].find(
    (variable) => loaded.env[variable],
  );
  if (proxy) {
    // Behind a proxy the host may not resolve here at all; the proxy does it. The auth check still runs through it.
    report.checks.push({
      name: 'dns',
      ok: true,
      detail: `skipped: requests go through the proxy in ${proxy}`,
    });
  } else {
    const failed = await checkNetwork(url.hostname, port, timeoutMs, report);
    if (failed) return fail(failed, 'connection');
  }
  try {
    const models = await client.provider(name).listModels({ signal: AbortSignal.timeout(timeoutMs) });
    report.checks.push({ name: 'auth', ok: true, detail: 'the key authenticates' });
    report.checks.push({ name: 'models', ok: true, detail: `${models.length} models` });
    report.models = models.map((model) => model.id);
  } catch (error) {
    const code = LlmkitError.isInstance(error) ? error.code : 'connection';
    // Some compatible servers have no /models route; that proves the key less, but is not an error.
    if (code === 'not_found') {
      report.checks.push({
        name: 'models',
        ok: true,
        detail: 'the server has no /models route; key not verified',
      });
    } else
      return fail(
        { name: code === 'authentication' ? 'auth' : 'models', ok: false, detail: describe(error) },
        code,
      );
  }
  report.ok = true;
  return report;
}

/** DNS, then a TCP connection; returns the failed check, if one failed. */
async function checkNetwork(
  host: string,
  port: number,
  timeoutMs: number,
  report: ProviderReport,
): Promise<Check | undefined> {
  try {
    const address = await withTimeout(lookup(host), timeoutMs, 'DNS lookup');
    report.checks.push({ name: 'dns', ok: true, detail: `${host} → ${address.address}` });
  } catch (error) {
    return { name: 'dns', ok: false, detail: `${host}: ${describe(error)}` };
  }
  try {
    await tcpConnect(host, port, timeoutMs);
    report.checks.push({ name: 'connect', ok: true, detail: `${host}:${port} accepts connections` });
  } catch (error) {
    return { name: 'connect', ok: false, detail: `${host}:${port}: ${describe(error)}` };
  }
  return undefined;
}

function formatReports(reports: ProviderReport[]): string {
  const lines: string[] = [];
  for (const report of reports) {
    lines.push(`${report.ok ? 'ok  ' : 'FAIL'} ${report.provider} (${report.baseURL})`);
    for (const check of report.checks)
      lines.push(`     ${check.ok ? '✓' : '✗'} ${check.name.padEnd(8)} ${check.detail}`);
    if (report.models.length > 0) {
      const shown = report.models.slice(0, 8).join(', ');
      lines.push(`       models: ${shown}${report.models.length > 8 ? `, … (${report.models.length})` : ''}`);
    }
    for (const row of report.troubleshooting)
      lines.push(`     → ${row.error}: ${row.cause}. Fix: ${row.fix}`);
  }
  if (reports.length === 0) lines.push('no providers configured');
  return `${lines.join('\n')}\n`;
}

function describe(error: unknown): string {
  if (LlmkitError.isInstance(error)) return error.detail;
  return error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    });
    socket.once('error', reject);
  });
}
