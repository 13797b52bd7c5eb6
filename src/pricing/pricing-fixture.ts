import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeepPartial, LlmkitConfig, LlmkitConfigInput } from '../config/config-schema.js';
import { loadConfig } from '../config/load-config.js';

/** A config loaded the way users get one, with `home` in a fresh directory and no environment. */
export function testConfig(overrides: DeepPartial<LlmkitConfigInput> = {}): {
  config: LlmkitConfig;
  home: string;
  remove: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'llmkit-pricing-'));
  const home = join(dir, 'home');
  const { config } = loadConfig({ cwd: dir, env: {}, envFile: false, overrides: { home, ...overrides } });
  return { config, home, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
