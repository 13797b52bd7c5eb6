import type { z } from 'zod';
import { closestMatch } from '../config/closest-match.js';
import { ConfigError } from '../errors/index.js';
import { type AlertsConfig, alertsSchema, channelSchema } from './alerts-schema.js';

type Issue = z.core.$ZodIssue;

/** Known keys of each object in the alerts config, for "did you mean" on a misspelt key. */
function knownKeys(path: readonly PropertyKey[], value: unknown): readonly string[] {
  if (path.length === 0) return Object.keys(alertsSchema.shape);
  if (path.length === 1 && path[0] === 'dailySummary') return ['enabled', 'at', 'channels'];
  if (path.length === 2 && path[0] === 'channels') {
    const type = (valueAt(value, path) as { type?: unknown } | undefined)?.type;
    const option = channelSchema.options.find((candidate) => candidate.shape.type.value === type);
    return option === undefined ? [] : Object.keys(option.shape);
  }
  return [];
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/**
 * One line naming the key and the problem, never the value: channel URLs embed tokens, so
 * unlike the rest of the config nothing here is echoed back.
 */
export function alertsIssueMessage(issues: readonly Issue[], value: unknown, prefix = 'alerts'): string {
  const issue = issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? issues[0];
  if (issue === undefined) return `${prefix} is invalid`;
  const more =
    issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  const key = (path: readonly PropertyKey[]) => [prefix, ...path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    const name = issue.keys[0] ?? '';
    const known = knownKeys(issue.path, value);
    const suggestion = closestMatch(name, known);
    const help =
      suggestion === undefined ? `known keys: ${known.join(', ')}` : `did you mean "${suggestion}"?`;
    return `${key([...issue.path, name])} is not a known setting; ${help}${more}`;
  }
  if (issue.code === 'invalid_key')
    return `${key(issue.path)} is not a valid channel name: use letters, digits, ".", "_" or "-"${more}`;
  if (issue.code === 'invalid_type' && valueAt(value, issue.path) === undefined)
    return `${key(issue.path)} is required${more}`;
  const problem = issue.message.startsWith('must') ? issue.message : `is invalid: ${issue.message}`;
  return `${key(issue.path)} ${problem}${more}`;
}

/** Validates the `alerts` section (defaults filled) or throws a one-line ConfigError. */
export function parseAlertsConfig(value: unknown, prefix = 'alerts'): AlertsConfig {
  const result = alertsSchema.safeParse(value ?? {});
  if (!result.success) throw new ConfigError(alertsIssueMessage(result.error.issues, value ?? {}, prefix));
  return result.data;
}
