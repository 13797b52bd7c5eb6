/** Where a value came from, lowest precedence first: default < preset < file < .env < env < flag. */
export type ConfigSource = 'default' | `file:${string}` | '.env' | 'env' | 'flag' | 'preset';

export type RawObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is RawObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * A prototype-less object: a config file holding `"__proto__"` then becomes an ordinary
 * (and rejected) key instead of rewriting the prototype of the merged result.
 */
export function emptyObject(): RawObject {
  return Object.create(null) as RawObject;
}

export function joinPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

function forgetSourcesUnder(sources: Record<string, ConfigSource>, path: string): void {
  for (const key of Object.keys(sources)) {
    if (key === path || key.startsWith(`${path}.`)) delete sources[key];
  }
}

/**
 * Deep-merges `layer` into `target`: objects merge key by key, anything else (arrays included)
 * replaces what was there. Records the source of every leaf written, so `config check` can
 * say where each value came from. `undefined` means "not set" and is skipped.
 */
export function mergeLayer(
  target: RawObject,
  layer: RawObject,
  source: ConfigSource,
  sources: Record<string, ConfigSource>,
  prefix: readonly string[] = [],
): void {
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    const path = [...prefix, key];
    const dotted = joinPath(path);
    if (isPlainObject(value)) {
      let existing = target[key];
      if (!isPlainObject(existing)) {
        forgetSourcesUnder(sources, dotted);
        existing = emptyObject();
        target[key] = existing;
      }
      const child = existing as RawObject;
      if (Object.keys(value).length === 0) {
        // An empty object is a value of its own (`headers: {}`), so it has a source too.
        if (Object.keys(child).length === 0) sources[dotted] = source;
        continue;
      }
      delete sources[dotted];
      mergeLayer(child, value, source, sources, path);
    } else {
      forgetSourcesUnder(sources, dotted);
      target[key] = value;
      sources[dotted] = source;
    }
  }
}

/** Every leaf of a config value as [dotted path, value]; arrays and empty objects count as leaves. */
export function leafEntries(value: unknown, prefix: readonly string[] = []): Array<[string, unknown]> {
  if (!isPlainObject(value) || (Object.keys(value).length === 0 && prefix.length > 0)) {
    return [[joinPath(prefix), value]];
  }
  const entries: Array<[string, unknown]> = [];
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    entries.push(...leafEntries(child, [...prefix, key]));
  }
  return entries;
}

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isPlainObject(current)) current = current[String(key)];
    else return undefined;
  }
  return current;
}

/**
 * The source recorded at `path` or, for an object, at a leaf beneath it, preferring what a
 * user wrote over what a preset or default filled in.
 */
export function sourceAt(sources: Record<string, ConfigSource>, path: string): ConfigSource | undefined {
  const exact = sources[path];
  if (exact !== undefined) return exact;
  // A list is one leaf (`budgets`): an issue at `budgets.0.scope` came from where the list did.
  const list = Object.keys(sources).find(
    (key) => path.startsWith(`${key}.`) && /^\d+(\.|$)/.test(path.slice(key.length + 1)),
  );
  if (list !== undefined) return sources[list];
  const nested = Object.entries(sources)
    .filter(([key]) => path === '' || key.startsWith(`${path}.`))
    .map(([, source]) => source);
  return nested.find((source) => source !== 'default' && source !== 'preset') ?? nested[0];
}
