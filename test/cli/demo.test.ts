import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliFixture, cliFixture } from './cli-fixture.js';

let cli: CliFixture;
beforeAll(async () => {
  cli = await cliFixture();
});
afterAll(() => cli.close());

describe('llmkit demo', () => {
  it('runs against its own fake upstream, without a key, and prints the totals line', async () => {
    const result = await cli.run(['demo'], { env: { FAKE_API_KEY: undefined } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('→ "Hello from the retried attempt." after 2 attempts');
    expect(result.stdout).toContain('→ Streams survive stalls.');
    expect(result.stdout).toContain('→ AuthenticationError: ');
    expect(result.stdout).toContain(
      '→ {"key_people":["Ada Lovelace"],"time_period":"1843","importance":"high"} after 2 attempts (json_object)',
    );
    expect(result.stdout).toContain('→ "Mail [EMAIL] or call [PHONE]"');
    expect(result.stdout).toMatch(
      /^Totals: 6 calls \(5 ok, 1 failed\), 8 attempts, \d+ tokens, \$0\.\d+ at /m,
    );
    // Six calls, eight attempts: the ledger holds one row per call, retries included.
    expect(result.stdout).toMatch(/^Ledger: 1 error, 5 ok /m);
    // The demo brings its own upstream; the test's one is never called.
    expect(cli.upstream.requests).toHaveLength(0);
  });
});
