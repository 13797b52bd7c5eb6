import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { type DataProvider, providerListSchema } from './price-data-schema.js';

/*
 * `<home>/prices.json`: genai-prices data the user downloaded with `llmkit prices update`.
 * It is the only price data that comes from the network, and only when the user asks.
 */

export function snapshotPath(home: string): string {
  return join(home, 'prices.json');
}

/** Parses and validates genai-prices data; throws an Error whose message is one line. */
export function parsePriceData(text: string): DataProvider[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`it is not JSON (${(error as Error).message})`);
  }
  const result = providerListSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `at ${issue.path.join('.')}` : 'at the top level';
    throw new Error(`it is not a genai-prices provider list: ${where} ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

// Several clients in one process read the same file: parse it once per version of it.
const cache = new Map<string, { version: string; providers: DataProvider[] }>();

/** The snapshot's providers, or undefined when there is none. A broken file is a ConfigError. */
export function readPriceSnapshot(path: string): DataProvider[] | undefined {
  let version: string;
  try {
    const stats = statSync(path);
    version = `${stats.mtimeMs}:${stats.size}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`price snapshot ${path} cannot be read (${(error as Error).message})`);
  }
  const cached = cache.get(path);
  if (cached?.version === version) return cached.providers;
  try {
    const providers = parsePriceData(readFileSync(path, 'utf8'));
    cache.set(path, { version, providers });
    return providers;
  } catch (error) {
    throw new ConfigError(`price snapshot ${path} is unusable: ${(error as Error).message}`, {
      hint: 'run `llmkit prices update` to download it again, or delete the file to use the bundled prices',
    });
  }
}

/** Writes the snapshot whole or not at all: a reader never sees half a file. */
export function writePriceSnapshot(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, text, { flush: true });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
