import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LlmkitError } from '../../src/errors/index.js';
import { clientFor } from '../support/client-for.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();

describe('a planted canary key never leaks', () => {
  it('appears in no log line, error message or JSON view, even when the upstream echoes it', async () => {
    const canary = `sk-canary-${randomBytes(12).toString('hex')}`;
    const { client, lines } = clientFor(fixture.current, {
      env: { FAKE_API_KEY: canary },
      overrides: { log: { debugHttp: true } },
    });
    fixture.current.enqueue(
      (request) => ({
        status: 401,
        body: { error: { message: `Incorrect API key provided: ${request.headers['authorization']}` } },
      }),
      (request) => ({ status: 500, body: `upstream crashed handling ${request.headers['authorization']}` }),
      { text: 'fine' },
      { chunks: ['streamed'] },
    );
    const errors: unknown[] = [];
    await client.generate('one').catch((error: unknown) => errors.push(error));
    await client.generate('two', { maxRetries: 0 }).catch((error: unknown) => errors.push(error));
    await client.generate('three');
    await client.stream('four').finish();
    client.logger.info(
      { headers: { authorization: `Bearer ${canary}` }, apiKey: canary },
      'a user logs a request',
    );

    expect(fixture.current.requests[0]!.headers['authorization']).toBe(`Bearer ${canary}`); // it was really sent
    expect(errors).toHaveLength(2);
    expect(lines.some((line) => line.includes('"event":"http"'))).toBe(true); // debug lines were written
    for (const error of errors) {
      expect(LlmkitError.isInstance(error)).toBe(true);
      const typed = error as LlmkitError;
      expect(typed.message).not.toContain(canary);
      expect(JSON.stringify(typed.toJSON())).not.toContain(canary);
      expect(String(typed.stack)).not.toContain(canary);
    }
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(line).not.toContain(canary);
    expect(JSON.stringify(client.config)).not.toContain(canary.slice(10));
  });
});
