import { connect } from 'node:net';
import pg from 'pg';

/*
 * Real services for integration suites: PostgreSQL and Redis on this machine. A suite asks for
 * the URL and skips when it is undefined:
 *
 *   const url = await postgresUrl();
 *   describe.skipIf(!url)('postgres ledger', () => { ... });
 *
 * A laptop without the services skips those suites; CI sets LLMKIT_REQUIRE_SERVICES=1 so a
 * service that went missing fails the run instead of silently skipping half the tests.
 */

const probeTimeoutMs = 1500;
const defaultPostgresUrl = 'postgres://postgres@127.0.0.1:5432/test';
const defaultRedisUrl = 'redis://127.0.0.1:6379';

function required(): boolean {
  return process.env['LLMKIT_REQUIRE_SERVICES'] === '1';
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

async function resolveService(
  name: string,
  url: string,
  variable: string,
  probe: (url: string) => Promise<void>,
): Promise<string | undefined> {
  try {
    await probe(url);
    return url;
  } catch (error) {
    if (!required()) return undefined;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${name} is required (LLMKIT_REQUIRE_SERVICES=1) but ${redact(url)} cannot be used: ${reason}. ` +
        `Start it, point ${variable} at one that runs, or unset LLMKIT_REQUIRE_SERVICES to skip.`,
    );
  }
}

async function probePostgres(url: string): Promise<void> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: probeTimeoutMs,
    query_timeout: probeTimeoutMs,
  });
  // A server that drops the connection after login emits 'error' on the client; without a
  // listener that would crash the test process instead of failing the probe.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

function resp(...words: string[]): string {
  return `*${words.length}\r\n${words.map((word) => `$${Buffer.byteLength(word)}\r\n${word}\r\n`).join('')}`;
}

/** Connects, authenticates if the URL carries a password, and expects PONG to PING. */
function probeRedis(url: string): Promise<void> {
  const parsed = new URL(url);
  const commands: string[] = [];
  if (parsed.password) {
    const password = decodeURIComponent(parsed.password);
    commands.push(
      parsed.username ? resp('AUTH', decodeURIComponent(parsed.username), password) : resp('AUTH', password),
    );
  }
  commands.push(resp('PING'));
  return new Promise((resolve, reject) => {
    const socket = connect({ host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 6379) });
    let answer = '';
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(new Error(`no answer within ${probeTimeoutMs} ms`)),
      probeTimeoutMs,
    );
    socket.on('connect', () => socket.write(commands.join('')));
    socket.on('error', (error) => finish(error));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.startsWith('-')) finish(new Error(answer.split('\r\n')[0]));
      else if (answer.includes('+PONG')) finish();
    });
  });
}

let postgres: Promise<string | undefined> | undefined;
let redis: Promise<string | undefined> | undefined;

/** The test PostgreSQL URL (`LLMKIT_TEST_DATABASE_URL`, default database `test`), or undefined when unreachable. */
export function postgresUrl(): Promise<string | undefined> {
  postgres ??= resolveService(
    'PostgreSQL',
    process.env['LLMKIT_TEST_DATABASE_URL'] || defaultPostgresUrl,
    'LLMKIT_TEST_DATABASE_URL',
    probePostgres,
  );
  return postgres;
}

/** The test Redis URL (`LLMKIT_TEST_REDIS_URL`, default 127.0.0.1:6379), or undefined when unreachable. */
export function redisUrl(): Promise<string | undefined> {
  redis ??= resolveService(
    'Redis',
    process.env['LLMKIT_TEST_REDIS_URL'] || defaultRedisUrl,
    'LLMKIT_TEST_REDIS_URL',
    probeRedis,
  );
  return redis;
}
