import type { z } from 'zod';
import { closestMatch } from './closest-match.js';
import { objectShapes } from './config-schema.js';
import { type ConfigSource, joinPath, type RawObject, sourceAt, valueAt } from './merge-layers.js';
import { presetNames } from './presets.js';

type Issue = z.core.$ZodIssue;

function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 2 && path[0] === 'providers') return objectShapes['provider'] ?? [];
  if (path.length === 2 && path[0] === 'prices') return objectShapes['price'] ?? [];
  if (path.length === 4 && path[0] === 'prices' && path[2] === 'tiers')
    return objectShapes['priceTier'] ?? [];
  if (path.length === 2 && path[0] === 'models') return objectShapes['model'] ?? [];
  if (path.length === 2 && path[0] === 'budgets') return objectShapes['budget'] ?? [];
  if (path.length === 2 && path[0] === 'guardrails') return objectShapes['guardRule'] ?? [];
  if (path.length === 2 && path[0] === 'routes') return objectShapes['route'] ?? [];
  if (path.length === 4 && path[0] === 'routes' && path[2] === 'targets')
    return objectShapes['routeTarget'] ?? [];
  if (path.length === 3 && path[0] === 'rateLimits' && path[1] === 'rules')
    return objectShapes['rateLimitRule'] ?? [];
  return objectShapes[joinPath(path)] ?? [];
}

function render(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Prefixes the problem with where the bad value was written, so the user knows which file or flag to fix. */
function locate(source: ConfigSource | undefined, key: string, problem: string): string {
  if (source?.startsWith('file:')) return `${source.slice('file:'.length)}: ${key} ${problem}`;
  if (source === 'flag') return `${key} (from flags/options) ${problem}`;
  if (source === 'env' || source === '.env') return `${key} (from ${source}) ${problem}`;
  return `${key} ${problem}`;
}

function unknownKeyProblem(issue: Extract<Issue, { code: 'unrecognized_keys' }>): [PropertyKey[], string] {
  const key = issue.keys[0] ?? '';
  const known = knownKeysAt(issue.path);
  const suggestion = closestMatch(key, known);
  const help = suggestion === undefined ? `known keys: ${known.join(', ')}` : `did you mean "${suggestion}"?`;
  return [[...issue.path, key], `is not a known setting; ${help}`];
}

function problemOf(issue: Issue, value: unknown): string {
  const { path } = issue;
  if (issue.code === 'invalid_key') {
    return 'is not a valid provider name: use letters, digits, ".", "_" or "-" (a "/" separates provider and model)';
  }
  if (issue.code === 'invalid_type' && value === undefined) {
    if (path.length === 3 && path[0] === 'providers' && path[2] === 'baseURL') {
      return `is required: "${String(path[1])}" is not a preset, so set baseURL or "preset" (one of ${presetNames.join(', ')})`;
    }
    return 'is required';
  }
  const problem = issue.message.startsWith('must') ? issue.message : `is invalid: ${issue.message}`;
  // Header values, key variable names and alert channels (webhook URLs embed tokens, the
  // database URL a password) are where secrets land; never echo them.
  const secretish = /url|key|secret|token|password/i.test(String(path[path.length - 1] ?? ''));
  if (path.includes('headers') || path[0] === 'alerts' || secretish) return problem;
  const options =
    issue.code === 'invalid_value' ? issue.values.filter((option) => typeof option === 'string') : [];
  const suggestion = typeof value === 'string' ? closestMatch(value, options) : undefined;
  const help = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
  return `${problem} (got ${render(value)}${help})`;
}

/**
 * One line for a failed check: where the value was written, its key path and what to do,
 * e.g. `llmkit.config.yaml: retry.maxRetries must be a whole number >= 0 (got "three")`.
 */
export function configIssueMessage(
  issues: readonly Issue[],
  merged: RawObject,
  sources: Record<string, ConfigSource>,
): string {
  // A misspelt key also makes the real one "required"; the spelling is the problem to report.
  const issue = issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? issues[0];
  if (issue === undefined) return 'the configuration is invalid';
  let path: PropertyKey[] = issue.path;
  let problem: string;
  if (issue.code === 'unrecognized_keys') {
    [path, problem] = unknownKeyProblem(issue);
  } else {
    problem = problemOf(issue, valueAt(merged, path));
  }
  const key = joinPath(path);
  // A missing value has no source of its own; blame whoever wrote its parent entry.
  const source = sourceAt(sources, key) ?? sourceAt(sources, joinPath(path.slice(0, -1)));
  const more =
    issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return `${locate(source, key, problem)}${more}`;
}
