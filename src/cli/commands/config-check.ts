import type { Command } from 'commander';
import { configReport, formatConfigReport } from '../../config/config-report.js';
import { loadCliConfig, reportError } from '../cli-context.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('print the effective config, secrets masked, and where each value came from')
    .option('--json', 'print rows as JSON')
    .action((options: { json?: boolean }, command: Command) => {
      try {
        const loaded = loadCliConfig(command);
        const rows = configReport(loaded);
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify({ ok: true, configFile: loaded.configFile ?? null, rows }, null, 2)}\n`,
          );
        } else {
          process.stdout.write(`config file: ${loaded.configFile ?? '(none found; using defaults)'}\n`);
          process.stdout.write(`${formatConfigReport(rows)}\n`);
        }
      } catch (error) {
        process.exitCode = reportError(error, options.json);
      }
    });
}
