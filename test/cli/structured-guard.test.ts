import { describe, expect, it } from 'vitest';
import { expectOneErrorLine, testCli } from './cli-fixture.js';

const schema = {
  type: 'object',
  properties: { people: { type: 'array', items: { type: 'string' } }, year: { type: 'integer' } },
  required: ['people', 'year'],
  additionalProperties: false,
};

describe.concurrent('llmkit run --schema', () => {
  it('prints the validated JSON, repairing an invalid first answer', async (context) => {
    const cli = await testCli(context);
    cli.writeConfig({
      ...cli.config(),
      providers: {
        fake: { baseURL: cli.upstream.url, apiKeyEnv: 'FAKE_API_KEY', structuredOutput: 'json_schema' },
      },
    });
    const path = cli.writeFile('schema.json', JSON.stringify(schema));
    cli.upstream.enqueue(
      { text: '{"people":["Ada"],"year":"1843"}' },
      { text: '{"people":["Ada"],"year":1843}' },
    );
    const result = await cli.run(['run', '--schema', path, 'Who wrote the first program, and when?']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ people: ['Ada'], year: 1843 });
    expect(cli.upstream.requests).toHaveLength(2);
    expect(cli.upstream.requests[0]!.body.response_format.json_schema).toMatchObject({
      strict: true,
      schema,
    });
  });

  it('warns on stderr when the provider cannot enforce the schema natively; --json has the details', async (context) => {
    const cli = await testCli(context);
    const path = cli.writeFile('schema.json', JSON.stringify(schema));
    cli.upstream.enqueue({ text: '{"people":[],"year":2000}' });
    const result = await cli.run(['run', '--json', '--schema', path, 'p']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^llmkit: warning: fake\/fake-model cannot enforce a JSON Schema natively; using response_format json_object/,
    );
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      object: { people: [], year: 2000 },
      mode: 'json_object',
      attempts: 1,
    });
  });

  it('fails with exit 3 and one line when no attempt validates', async (context) => {
    const cli = await testCli(context);
    const path = cli.writeFile('schema.json', JSON.stringify(schema));
    cli.upstream.setDefault({ text: 'no idea' });
    const result = await cli.run(['run', '-q', '--schema', path, '--max-attempts', '2', 'p']);
    expect(expectOneErrorLine(result, 3)).toMatch(
      /^llmkit: StructuredOutputError: no valid object after 2 attempt\(s\)/,
    );
  });

  it.for([
    ['not JSON', '{type:', /SchemaError: --schema .*schema.json is not JSON/],
    [
      'not a schema',
      '[1,2]',
      /SchemaError: the schema is an array, not a zod schema or a JSON Schema object/,
    ],
    ['a bad type', '{"type":"objekt"}', /SchemaError: \$\.type is "objekt", not a JSON Schema type/],
  ] as const)(
    'refuses a schema file that is %s with exit 2 before sending',
    async ([, text, message], context) => {
      const cli = await testCli(context);
      const path = cli.writeFile('schema.json', text);
      const result = await cli.run(['run', '--schema', path, 'p']);
      expect(expectOneErrorLine(result, 2)).toMatch(message);
      expect(cli.upstream.requests).toHaveLength(0);
    },
  );
});

describe.concurrent('llmkit guard check', () => {
  it('shows which configured rules fire and where, masked, and exits 4 on a block rule', async (context) => {
    const cli = await testCli(context);
    cli.writeConfig({
      ...cli.config(),
      guardrails: [
        { name: 'pii', detectors: ['email', 'phone'], action: 'redact' },
        { name: 'banned', terms: ['机密'], action: 'block' },
      ],
    });
    const result = await cli.run(['guard', 'check', '机密：联系 zhang@example.com 或 13800138000']);
    expect(result.code).toBe(4);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RULE\s+MATCHER\s+ACTION\s+WHERE$/);
    expect(lines[1]).toMatch(/^banned\s+term\s+block\s+0-2/);
    expect(lines[2]).toMatch(/^pii\s+email\s+redact\s+6-23\s+"zha\*+com"$/);
    expect(lines[3]).toMatch(/^pii\s+phone\s+redact\s+26-37\s+"13\*+00"$/);
    expect(result.stdout).toContain('redacted: [TERM]：联系 [EMAIL] 或 [PHONE]');
    expect(result.stdout).not.toContain('zhang@example.com');
    expect(cli.upstream.requests).toHaveLength(0);
  });

  it('reads stdin, runs every detector when no rule is configured, and exits 0 without a block', async (context) => {
    const cli = await testCli(context);
    const result = await cli.run(['guard', 'check', '--json'], {
      input: 'id 11010519491231002X, ip 10.0.0.1',
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/no guardrails are configured; checking every built-in detector/);
    const output = JSON.parse(result.stdout);
    expect(output).toMatchObject({ ok: true, blocked: false, redacted: 'id [CN_ID], ip [IP]' });
    expect(output.findings.map((row: { matcher: string }) => row.matcher)).toEqual(['cn-id', 'ip']);
  });

  it('refuses an unknown detector with exit 2', async (context) => {
    const cli = await testCli(context);
    const result = await cli.run(['guard', 'check', '--detectors', 'email,passport', 'text']);
    expect(expectOneErrorLine(result, 2)).toMatch(
      /"passport" is not a detector; the detectors are email, phone, cn-id, bank-card, ip, secret/,
    );
  });
});
