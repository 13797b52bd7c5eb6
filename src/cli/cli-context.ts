import { type Command, InvalidArgumentError } from 'commander';
import { LLMClient } from '../client/llm-client.js';
import { type LoadedConfig, loadConfig } from '../config/load-config.js';
import { exitCodes, LlmkitError } from '../errors/index.js';
import { createLogger, type LogLevel } from '../logging/logger.js';

export interface GlobalOptions {
  config?: string;
  verbose?: boolean;
  quiet?: boolean;
}

/** Global flags live on the root program; every command reads them the same way. */
export function globalOptions(command: Command): GlobalOptions {
  let root = command;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}

export function loadCliConfig(command: Command, overrides: Record<string, unknown> = {}): LoadedConfig {
  const flags = globalOptions(command);
  return loadConfig({ ...(flags.config ? { configPath: flags.config } : {}), overrides });
}

export function cliClient(command: Command, loaded: LoadedConfig): LLMClient {
  const flags = globalOptions(command);
  const { log } = loaded.config;
  // stderr carries warnings only (an unpriced model, a ledger that cannot write): failed calls
  // are logged below warn, since the CLI reports them itself in one `llmkit:` line.
  // --verbose or LLMKIT_DEBUG=http show every attempt; --quiet shows nothing.
  const stderrLevel: LogLevel = flags.quiet
    ? 'silent'
    : flags.verbose || log.debugHttp
      ? 'debug'
      : log.stderrLevel;
  const logger = createLogger({
    level: log.level,
    file: log.file,
    stderrLevel,
    // Warnings read as `llmkit: warning: ...` lines; --verbose wants every field, so pretty or JSON.
    pretty: log.pretty === 'auto' && !flags.verbose && !log.debugHttp ? 'line' : log.pretty,
    env: loaded.env,
  });
  return new LLMClient({ config: loaded, logger });
}

/** Prints one line for the human and sets the documented exit code. */
export function reportError(error: unknown, json = false): number {
  if (LlmkitError.isInstance(error)) {
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: error.toJSON() })}\n`);
    process.stderr.write(`llmkit: ${error.name}: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { name: 'Error', message } })}\n`);
  process.stderr.write(`llmkit: unexpected error: ${message}\n`);
  if (process.env['LLMKIT_DEBUG']?.includes('stack') && error instanceof Error)
    process.stderr.write(`${error.stack}\n`);
  return exitCodes.other;
}

/** A commander argument parser for numbers; whole numbers are never below `minimum` (0 by default). */
export function parseNumber(name: string, integer: boolean, minimum = 0) {
  return (value: string): number => {
    const parsed = Number(value);
    if (
      value.trim() === '' ||
      !Number.isFinite(parsed) ||
      (integer && (!Number.isInteger(parsed) || parsed < minimum))
    ) {
      throw new InvalidArgumentError(
        `${name} must be ${integer ? `a whole number >= ${minimum}` : 'a number'}, got "${value}"`,
      );
    }
    return parsed;
  };
}

/**
 * Closes the client after the command did its work. A ledger that cannot write its last rows
 * is worth a warning line, but must not turn a good answer into a failed command.
 */
export async function closeQuietly(client: { close(): Promise<void> } | undefined): Promise<void> {
  try {
    await client?.close();
  } catch (error) {
    process.stderr.write(`llmkit: warning: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
