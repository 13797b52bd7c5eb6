import { maskSecret } from '../../config/secrets.js';

export interface HttpDebugEvent {
  phase: 'request' | 'response';
  method: string;
  url: string;
  headers: Record<string, string>;
  status?: number;
  bodyBytes?: number;
  latencyMs?: number;
}

const secretHeaders = new Set([
  'authorization',
  'api-key',
  'x-api-key',
  'proxy-authorization',
  'cookie',
  'set-cookie',
]);

export function maskHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    masked[name] = secretHeaders.has(name.toLowerCase()) ? maskSecret(text.replace(/^Bearer /i, '')) : text;
  }
  return masked;
}

/** Query parameters that carry credentials (`?key=`, `?api-key=`, signatures) are masked in debug lines. */
export function maskURL(url: string): string {
  const parsed = new URL(url);
  for (const name of [...parsed.searchParams.keys()]) {
    if (/key|token|secret|sig|password|auth/i.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.toString();
}
