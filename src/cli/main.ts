import { Command, CommanderError } from 'commander';
import { registerAlerts } from './commands/alerts.js';
import { registerBatch } from './commands/batch.js';
import { registerBudget } from './commands/budget.js';
import { registerChat } from './commands/chat.js';
import { registerConfig } from './commands/config-check.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerGuard } from './commands/guard.js';
import { registerKeys } from './commands/keys.js';
import { registerPrices } from './commands/prices.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerTokens } from './commands/tokens.js';
import { registerUsage } from './commands/usage.js';

const program = new Command('llmkit')
  .description('A production toolkit for calling large language models')
  .version('0.1.0')
  .option(
    '-c, --config <path>',
    'config file (default: llmkit.config.{json,yaml} in the working directory, or LLMKIT_CONFIG)',
  )
  .option('-v, --verbose', 'log every attempt and call to stderr')
  .option('-q, --quiet', 'log nothing to stderr')
  // Usage mistakes read like every other failure: one `llmkit:` line naming the problem and the way out.
  // Subcommands inherit this, as they are registered after it.
  .configureOutput({
    outputError: (text, write) =>
      write(
        `llmkit: ${text
          .replace(/^error: /, '')
          .trim()
          .replace(/\s*\n\s*/g, ' ')} (run \`llmkit --help\` for usage)\n`,
      ),
  })
  .exitOverride();

registerRun(program);
registerServe(program);
registerBatch(program);
registerChat(program);
registerConfig(program);
registerDoctor(program);
registerDemo(program);
registerPrices(program);
registerTokens(program);
registerUsage(program);
registerAlerts(program);
registerBudget(program);
registerGuard(program);
registerKeys(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with code 0; usage mistakes are exit code 2.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`llmkit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
