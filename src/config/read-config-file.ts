import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from '../errors/index.js';
import { isPlainObject, type RawObject } from './merge-layers.js';

export const configFileNames = ['llmkit.config.json', 'llmkit.config.yaml', 'llmkit.config.yml'] as const;

export interface ConfigFileLocation {
  path: string;
  /** How the file was chosen, for the error when an explicit one is missing. */
  origin: '--config' | 'LLMKIT_CONFIG' | 'discovered';
}

/** The path to show in messages: relative when inside the working directory, as users typed it. */
export function displayPath(path: string, cwd: string): string {
  const shown = relative(cwd, path);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}

export function locateConfigFile(
  cwd: string,
  configPath: string | undefined,
  fromEnv: string | undefined,
): ConfigFileLocation | undefined {
  const explicit = configPath ?? fromEnv;
  if (explicit !== undefined) {
    const origin = configPath === undefined ? 'LLMKIT_CONFIG' : '--config';
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) {
      throw new ConfigError(
        `config file ${path} (from ${origin}) does not exist; check the path or remove ${origin}`,
      );
    }
    return { path, origin };
  }
  for (const name of configFileNames) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return { path, origin: 'discovered' };
  }
  return undefined;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'a list' : typeof value;
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `${before.length}:${(before[before.length - 1]?.length ?? 0) + 1}`;
}

function parseJson(text: string, shown: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? '' : `:${lineAndColumn(text, Number(position))}`;
    // Node 20 says "at position N", newer versions add "(line L column C)"; we print our own.
    const reason = message
      .replace(/\s*(in JSON )?at position \d+.*$/s, '')
      .replace(/\s*\(line \d+ column \d+\)/, '');
    throw new ConfigError(`${shown}${where}: invalid JSON: ${reason}`);
  }
}

function parseYamlText(text: string, shown: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    const position = error.linePos?.[0];
    const where = position === undefined ? '' : `:${position.line}:${position.col}`;
    // The message carries a multi-line code frame; the first line, minus its own position, is the reason.
    const reason = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${shown}${where}: invalid YAML: ${reason}`);
  }
}

/** Reads and parses a JSON or YAML config file into a plain object, or throws a one-line ConfigError. */
export function readConfigFile(path: string, shown: string): RawObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConfigError(`${shown}: cannot read the config file (${code}); check its permissions`);
  }
  const data = path.endsWith('.json') ? parseJson(text, shown) : parseYamlText(text, shown);
  // An empty YAML file parses to null; treat it as an empty config rather than an error.
  if (data === null || data === undefined) return {};
  if (!isPlainObject(data)) {
    throw new ConfigError(
      `${shown}: the top level must be an object of settings (got ${describeType(data)})`,
    );
  }
  // Editors use "$schema" for completion; it is not a setting.
  const { $schema: _schema, ...settings } = data;
  return settings;
}
