export { closestMatch } from './closest-match.js';
export { defaultKeyVariable } from './compose-providers.js';
export { type ConfigReportRow, configReport, formatConfigReport } from './config-report.js';
export {
  configSchema,
  type DeepPartial,
  type LlmkitConfig,
  type LlmkitConfigInput,
  type LogLevel,
  logLevels,
  type ProviderConfig,
  providerSchema,
} from './config-schema.js';
export { type EnvOrigin, type EnvVariable, envVariables } from './env-variables.js';
export { type ConfigSource, type LoadConfigOptions, type LoadedConfig, loadConfig } from './load-config.js';
export { isPresetName, type Preset, type PresetName, presetNames, presets } from './presets.js';
export { configFileNames } from './read-config-file.js';
export { type ModelTarget, resolveModel } from './resolve-model.js';
export { apiKeyVariable, maskSecret, providerConfigOf, type ResolvedKey, resolveApiKey } from './secrets.js';
