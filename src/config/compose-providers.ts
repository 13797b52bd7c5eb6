import {
  type ConfigSource,
  emptyObject,
  isPlainObject,
  leafEntries,
  mergeLayer,
  type RawObject,
} from './merge-layers.js';
import { isPresetName, type PresetName, presetFor, presetNames } from './presets.js';

/** `my-gateway` -> `MY_GATEWAY_API_KEY`, the variable a provider without a preset reads its key from. */
export function defaultKeyVariable(providerName: string): string {
  const stem = providerName.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  // A variable name cannot start with a digit.
  return `${/^\d/.test(stem) ? '_' : ''}${stem}_API_KEY`;
}

/** The preset an entry builds on: its `preset` field, else its own name when that is a preset. */
export function presetOf(name: string, entry: unknown): PresetName | undefined {
  const declared = isPlainObject(entry) ? entry['preset'] : undefined;
  if (typeof declared === 'string') return isPresetName(declared) ? declared : undefined;
  return isPresetName(name) ? name : undefined;
}

function presetBase(name: PresetName): RawObject {
  const preset = presetFor(name);
  return {
    preset: name,
    baseURL: preset.baseURL,
    apiKeyEnv: preset.apiKeyEnv,
    apiKeyRequired: preset.apiKeyRequired,
    authHeader: preset.authHeader,
    structuredOutput: preset.structuredOutput,
    headers: {},
    query: { ...preset.query },
  };
}

/** A generic OpenAI-compatible server: everything but `baseURL` has a sensible default. */
function genericBase(name: string): RawObject {
  return {
    apiKeyEnv: defaultKeyVariable(name),
    apiKeyRequired: true,
    authHeader: 'authorization',
    // The one JSON mode nearly every compatible server accepts; set it higher when yours can.
    structuredOutput: 'json_object',
    headers: {},
    query: {},
  };
}

/**
 * Lays every provider entry over its preset (or the generic defaults) and adds every preset
 * nobody mentioned, so `providers.deepseek` exists without a config file. Values the user did
 * not set get the source 'preset' or 'default'. Malformed entries are left for the schema to report.
 */
export function composeProviders(merged: RawObject, sources: Record<string, ConfigSource>): void {
  const given = merged['providers'] ?? emptyObject();
  if (!isPlainObject(given)) return;
  const composed = emptyObject();
  const names = [...presetNames, ...Object.keys(given).filter((name) => !isPresetName(name))];
  for (const name of names) {
    const entry = given[name];
    if (entry !== undefined && !isPlainObject(entry)) {
      composed[name] = entry;
      continue;
    }
    const declared = isPlainObject(entry) ? entry['preset'] : undefined;
    const preset = presetOf(name, entry);
    if (declared !== undefined && preset === undefined) {
      // An unknown preset: composing would only add noise to the schema's "must be one of" error.
      composed[name] = entry;
      continue;
    }
    const provider = emptyObject();
    const base = preset === undefined ? genericBase(name) : presetBase(preset);
    mergeLayer(provider, base, 'default', {});
    if (entry !== undefined) mergeLayer(provider, entry, 'default', {});
    for (const [path] of leafEntries(provider, ['providers', name])) {
      sources[path] ??= preset === undefined ? 'default' : 'preset';
    }
    composed[name] = provider;
  }
  merged['providers'] = composed;
}
