/** A path segment that is probably a token: long, or an id mixing letters and digits. */
function looksLikeToken(segment: string): boolean {
  return segment.length >= 20 || (segment.length >= 8 && /\d/.test(segment));
}

/**
 * The URL as it may appear in an error or a log line. Chat webhooks carry their token in the
 * path (Slack, Feishu) or the query (DingTalk `access_token`, WeCom `key`), so every query
 * value and every token-like path segment becomes `***`, and user info is dropped:
 * `https://oapi.dingtalk.com/robot/send?access_token=***`.
 */
export function maskURL(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(an invalid URL)';
  }
  const path = parsed.pathname
    .split('/')
    .map((segment) => (looksLikeToken(segment) ? '***' : segment))
    .join('/');
  const query = [...new Set(parsed.searchParams.keys())].map((key) => `${key}=***`).join('&');
  return `${parsed.protocol}//${parsed.host}${path === '/' ? '' : path}${query ? `?${query}` : ''}`;
}

/** The parts of a URL that `maskURL` hides, to scrub from text a server echoed back. */
export function urlSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const segments = parsed.pathname.split('/').filter(looksLikeToken).map(decodeSegment);
  const values = [...parsed.searchParams.values()].filter(looksLikeToken);
  return [url, parsed.username, parsed.password, ...segments, ...values].filter((part) => part !== '');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Replaces every occurrence of each secret, raw or percent-encoded, with `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    // Shorter strings would match innocent text; no real token is that short.
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) result = result.split(form).join('***');
  }
  return result;
}
