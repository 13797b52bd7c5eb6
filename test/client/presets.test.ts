import { describe, expect, it } from 'vitest';
import { LLMClient } from '../../src/client/llm-client.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logging/logger.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();

const silent = createLogger({ level: 'silent', stderrLevel: 'silent' });
const client = (env: Record<string, string>, overrides: Record<string, unknown> = {}) =>
  new LLMClient({ config: loadConfig({ env, envFile: false, overrides }), logger: silent });

describe('presets as users of the official SDKs expect them', () => {
  it('OPENAI_API_KEY and OPENAI_BASE_URL work with no config at all', async () => {
    const llm = client({ OPENAI_API_KEY: 'sk-openai-env', OPENAI_BASE_URL: fixture.current.url });
    const result = await llm.generate('hi', { model: 'gpt-4o-mini' });
    expect(result.provider).toBe('openai');
    expect(fixture.current.requests[0]).toMatchObject({
      path: '/v1/chat/completions',
      body: { model: 'gpt-4o-mini' },
    });
    expect(fixture.current.requests[0]!.headers['authorization']).toBe('Bearer sk-openai-env');
  });

  it('azure-openai calls the deployment URL with api-version and the api-key header', async () => {
    const llm = client({
      AZURE_OPENAI_ENDPOINT: fixture.current.origin,
      AZURE_OPENAI_API_KEY: 'azure-key-0123456789',
      OPENAI_API_VERSION: '2024-10-21',
    });
    await llm.generate('hi', { model: 'azure-openai/my-gpt4o-deployment' });
    const request = fixture.current.requests[0]!;
    expect(request.path).toBe('/openai/deployments/my-gpt4o-deployment/chat/completions');
    expect(request.query).toEqual({ 'api-version': '2024-10-21' });
    expect(request.headers['api-key']).toBe('azure-key-0123456789');
    expect(request.headers['authorization']).toBeUndefined();
  });

  it('a named preset takes its key from its own variable: deepseek/deepseek-chat', async () => {
    const llm = client({ DEEPSEEK_API_KEY: 'sk-deepseek', DEEPSEEK_BASE_URL: fixture.current.url });
    const result = await llm.generate('你好', { model: 'deepseek/deepseek-chat' });
    expect(result).toMatchObject({ provider: 'deepseek', model: 'deepseek/deepseek-chat' });
    expect(fixture.current.requests[0]!.headers['authorization']).toBe('Bearer sk-deepseek');
  });

  it('local servers (ollama, vllm, llamacpp) need no key', async () => {
    const llm = client({ OLLAMA_BASE_URL: fixture.current.url });
    await llm.generate('hi', { model: 'ollama/qwen2.5:7b' });
    expect(fixture.current.requests[0]!.headers['authorization']).toBeUndefined();
    expect(fixture.current.requests[0]!.body).toMatchObject({ model: 'qwen2.5:7b' });
  });

  it('aliases resolve to provider/model', async () => {
    const llm = client(
      { MOONSHOT_API_KEY: 'sk-moon', MOONSHOT_BASE_URL: fixture.current.url },
      { aliases: { fast: 'moonshot/kimi-k2' } },
    );
    const result = await llm.generate('hi', { model: 'fast' });
    expect(result.model).toBe('moonshot/kimi-k2');
  });
});
