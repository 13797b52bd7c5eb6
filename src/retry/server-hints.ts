export interface ServerHints {
  retryAfterMs?: number;
  shouldRetry?: boolean;
}

type HeaderReader = (name: string) => string | undefined;

/**
 * Reads the retry hints a server may send, most precise first: `x-should-retry` (OpenAI's
 * explicit verdict), `retry-after-ms` (milliseconds), then `retry-after` (seconds or an HTTP date).
 */
export function readServerHints(header: HeaderReader, now: () => number = Date.now): ServerHints {
  const hints: ServerHints = {};
  const should = header('x-should-retry')?.trim().toLowerCase();
  if (should === 'true') hints.shouldRetry = true;
  if (should === 'false') hints.shouldRetry = false;
  const retryAfterMs = parseRetryAfterMs(header('retry-after-ms'), header('retry-after'), now);
  if (retryAfterMs !== undefined) hints.retryAfterMs = retryAfterMs;
  return hints;
}

export function parseRetryAfterMs(
  retryAfterMsHeader: string | undefined,
  retryAfterHeader: string | undefined,
  now: () => number = Date.now,
): number | undefined {
  if (retryAfterMsHeader !== undefined) {
    const milliseconds = Number.parseFloat(retryAfterMsHeader);
    if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.round(milliseconds);
  }
  if (retryAfterHeader === undefined) return undefined;
  const trimmed = retryAfterHeader.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number.parseFloat(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now());
}
