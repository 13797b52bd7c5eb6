import type { Command } from 'commander';
import type { DeliveryResult } from '../../alerts/alert-dispatcher.js';
import { createAlertDispatcher } from '../../alerts/create-alert-dispatcher.js';
import { ConfigError, exitCodes, UsageError } from '../../errors/index.js';
import { createLogger, type LogLevel } from '../../logging/logger.js';
import { globalOptions, loadCliConfig, reportError } from '../cli-context.js';

interface TestOptions {
  channel?: string[];
  json?: boolean;
}

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description('alert channels: webhooks, chat bots, email and SMS');
  alerts
    .command('test')
    .description('send a test alert to every configured channel (or the named ones) and report each')
    .option('--channel <name...>', 'only these channels')
    .option('--json', 'print the results as JSON')
    .action(async (options: TestOptions, command: Command) => {
      process.exitCode = await testAlerts(options, command);
    });
}

async function testAlerts(options: TestOptions, command: Command): Promise<number> {
  try {
    const loaded = loadCliConfig(command);
    const config = loaded.config.alerts;
    const known = Object.keys(config.channels);
    if (known.length === 0)
      throw new ConfigError('no alert channels are configured; add some under alerts.channels', {
        hint: 'see docs/alerts.md for each channel type',
      });
    const unknown = options.channel?.find((name) => !known.includes(name));
    if (unknown !== undefined)
      throw new UsageError(`no alert channel is named "${unknown}"`, {
        hint: `configured: ${known.join(', ')}`,
      });

    const flags = globalOptions(command);
    const { log } = loaded.config;
    // The results go to stdout; stderr keeps warnings: the log channel's alert, retries, failures.
    const stderrLevel: LogLevel = flags.quiet ? 'silent' : flags.verbose ? 'debug' : log.stderrLevel;
    const logger = createLogger({
      level: log.level,
      file: log.file,
      stderrLevel,
      pretty: log.pretty === 'auto' && !flags.verbose ? 'line' : log.pretty,
      env: loaded.env,
    });
    const dispatcher = createAlertDispatcher(config, loaded.env, logger);
    const results = await dispatcher.deliver({ kind: 'test', at: new Date().toISOString() }, options.channel);
    await dispatcher.close();
    const ok = results.every((result) => result.ok);
    process.stdout.write(
      options.json ? `${JSON.stringify({ ok, results }, null, 2)}\n` : results.map(formatResult).join(''),
    );
    return ok ? exitCodes.ok : exitCodes.provider;
  } catch (error) {
    return reportError(error, options.json);
  }
}

function formatResult(result: DeliveryResult): string {
  const tries = result.attempts > 1 ? ` (after ${result.attempts} attempts)` : '';
  const outcome = result.ok ? `ok${tries}` : `failed: ${result.error ?? 'unknown error'}${tries}`;
  return `${result.channel} (${result.type}): ${outcome}\n`;
}
