import { maskURL } from '../alerts/mask-url.js';
import { LlmkitError } from '../errors/index.js';
import { objectShapes, type ProviderConfig } from './config-schema.js';
import type { LoadedConfig } from './load-config.js';
import { leafEntries } from './merge-layers.js';
import { maskSecret, type ResolvedKey, resolveApiKey } from './secrets.js';

export interface ConfigReportRow {
  key: string;
  value: string;
  source: string;
}

// Header and query names that usually carry a credential (`Authorization`, `x-api-key`, `sig`...).
const sensitiveName = /auth|key|token|secret|passw|cookie|sig/i;

function render(value: unknown): string {
  if (value === undefined) return '(not set)';
  if (typeof value === 'string') return value;
  if (Array.isArray(value))
    return value.length === 0
      ? '[]'
      : value.map((item) => (typeof item === 'object' ? JSON.stringify(item) : String(item))).join(', ');
  return JSON.stringify(value) ?? String(value);
}

function maskValue(path: string, value: string): string {
  const segments = path.split('.');
  const inMap = segments.includes('headers') || segments.includes('query');
  if (inMap && sensitiveName.test(segments[segments.length - 1] ?? '')) return maskSecret(value);
  // Alert channel URLs (Slack, Feishu, DingTalk, WeCom webhooks) carry their token in the path or query.
  if (segments[0] === 'alerts') return value.replace(/https?:\/\/[^\s"',]+/g, (url) => maskURL(url));
  // Credentials in a URL (`https://user:secret@host`) are still credentials.
  return value.replace(/(\/\/[^/:@\s]*:)[^@/\s]+@/, '$1***@');
}

function keyRow(
  name: string,
  provider: ProviderConfig,
  loaded: LoadedConfig,
): [ConfigReportRow, ResolvedKey?] {
  const key = `providers.${name}.apiKey`;
  try {
    const resolved = resolveApiKey(name, loaded);
    if (resolved.value !== undefined)
      return [{ key, value: maskSecret(resolved.value), source: resolved.source }, resolved];
    const value = provider.apiKeyRequired ? '(not set)' : '(not set, not required)';
    return [{ key, value, source: 'none' }];
  } catch (error) {
    const problem = LlmkitError.isInstance(error) ? error.detail : String(error);
    return [{ key, value: `(unreadable: ${problem})`, source: `file ${provider.apiKeyFile ?? ''}` }];
  }
}

/**
 * Every effective setting with where it came from, for `llmkit config check`. Keys appear
 * only masked, and any key value that found its way into another setting is masked there too.
 */
export function configReport(loaded: LoadedConfig): ConfigReportRow[] {
  const { config, sources } = loaded;
  const rows: ConfigReportRow[] = [];
  const secrets: string[] = [];
  // An object-valued row (alerts.channels) takes the source of the leaves it holds.
  const sourceOf = (key: string) =>
    sources[key] ?? Object.entries(sources).find(([leaf]) => leaf.startsWith(`${key}.`))?.[1] ?? 'default';
  const add = (key: string, value: unknown) =>
    rows.push({ key, value: maskValue(key, render(value)), source: sourceOf(key) });

  for (const section of objectShapes[''] ?? []) {
    if (section === 'providers') {
      for (const [name, provider] of Object.entries(config.providers)) {
        for (const [key, value] of leafEntries(provider, ['providers', name])) add(key, value);
        const [row, resolved] = keyRow(name, provider, loaded);
        rows.push(row);
        if (resolved?.value !== undefined) secrets.push(resolved.value);
      }
      continue;
    }
    const value: unknown = config[section as keyof typeof config];
    const fields = objectShapes[section];
    if (fields === undefined) {
      for (const [key, leaf] of leafEntries(value, [section])) add(key, leaf);
    } else {
      // Walk the schema's fields, not the value's, so unset optional fields still get a row.
      const object = (value ?? {}) as Record<string, unknown>;
      for (const field of fields) add(`${section}.${field}`, object[field]);
    }
  }

  // Short strings would mask innocent text; keys are long.
  const planted = secrets.filter((secret) => secret.length >= 8);
  return rows.map((row) => ({
    ...row,
    value: planted.reduce((text, secret) => text.split(secret).join(maskSecret(secret)), row.value),
  }));
}

/** The rows as an aligned three-column table with a header line. */
export function formatConfigReport(rows: readonly ConfigReportRow[]): string {
  const table = [{ key: 'KEY', value: 'VALUE', source: 'SOURCE' }, ...rows];
  const keyWidth = Math.max(...table.map((row) => row.key.length));
  const valueWidth = Math.max(...table.map((row) => row.value.length));
  return table
    .map((row) => `${row.key.padEnd(keyWidth)}  ${row.value.padEnd(valueWidth)}  ${row.source}`.trimEnd())
    .join('\n');
}
