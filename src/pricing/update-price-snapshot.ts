import { REMOTE_DATA_JSON_URL } from '@pydantic/genai-prices';
import { Agent, EnvHttpProxyAgent, fetch } from 'undici';
import { APIConnectionError, LlmkitError, TimeoutError } from '../errors/index.js';
import { parsePriceData, snapshotPath, writePriceSnapshot } from './price-snapshot.js';

export const defaultPriceDataURL = REMOTE_DATA_JSON_URL;

export interface UpdatePriceSnapshotOptions {
  /** llmkit's home directory; the snapshot is `<home>/prices.json`. */
  home: string;
  /** genai-prices `data.json`, or a copy of it. */
  url?: string;
  timeoutMs?: number;
  env?: Readonly<Record<string, string | undefined>>;
}

export interface UpdatedSnapshot {
  path: string;
  providers: number;
  models: number;
}

async function download(
  url: string,
  timeoutMs: number,
  env: UpdatePriceSnapshotOptions['env'],
): Promise<string> {
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env?.[name]);
  // A dispatcher of its own, closed after: an idle keep-alive socket would hold the CLI open.
  const dispatcher = proxied ? new EnvHttpProxyAgent() : new Agent();
  try {
    const response = await fetch(url, { dispatcher, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok)
      throw new APIConnectionError(`downloading ${url} failed: HTTP ${response.status}`, {
        status: response.status,
      });
    return await response.text();
  } catch (error) {
    if (LlmkitError.isInstance(error)) throw error;
    if (error instanceof Error && error.name === 'TimeoutError') throw new TimeoutError('total', timeoutMs);
    const cause =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new APIConnectionError(`downloading ${url} failed: ${cause}`, { cause: error });
  } finally {
    await dispatcher.close();
  }
}

/**
 * The only place llmkit fetches prices, and only when asked (`llmkit prices update`): downloads
 * genai-prices data, checks it, and replaces `<home>/prices.json` whole. A failed download or
 * unusable data leaves the old file as it was.
 */
export async function updatePriceSnapshot(options: UpdatePriceSnapshotOptions): Promise<UpdatedSnapshot> {
  const url = options.url ?? defaultPriceDataURL;
  const text = await download(url, options.timeoutMs ?? 60_000, options.env ?? process.env);
  let providers: ReturnType<typeof parsePriceData>;
  try {
    providers = parsePriceData(text);
  } catch (error) {
    throw new LlmkitError(
      `the data downloaded from ${url} is unusable: ${(error as Error).message}`,
      'check that --url points at genai-prices data.json; the prices in use were left unchanged',
    );
  }
  const path = snapshotPath(options.home);
  writePriceSnapshot(path, text);
  const models = providers.reduce((sum, provider) => sum + provider.models.length, 0);
  return { path, providers: providers.length, models };
}
