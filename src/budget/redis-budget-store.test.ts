import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl } from '../../test/support/services.js';
import { budgetStoreCases } from './budget-store.case.js';
import { openRedisBudgetStore } from './redis-budget-store.js';
import { openSqliteBudgetStore } from './sqlite-budget-store.js';
import { line, random, reservation } from './store-case-fixtures.js';
import { closedRetentionMs } from './store-checks.js';
import { BudgetStoreUnavailableError } from './store-unavailable-error.js';

const url = await redisUrl();

/** Deletes every key under `prefix`. */
async function dropPrefix(admin: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await admin.del(...keys);
  } while (cursor !== '0');
}

/** A TCP server on a free port: `silent` accepts and never answers; otherwise it forwards to `target`. */
async function tcpServer(
  target?: { host: string; port: number },
  port = 0,
): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (!target) return;
    const upstream = connect(target);
    sockets.add(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

async function stop({ server, sockets }: { server: Server; sockets: Set<Socket> }): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
}

async function rejection(work: Promise<unknown>): Promise<{ error: unknown; elapsedMs: number }> {
  const started = Date.now();
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { error, elapsedMs: Date.now() - started };
}

describe.skipIf(!url)('redis', () => {
  let admin: Redis;
  beforeAll(() => {
    admin = new Redis(url!);
  });
  afterAll(() => admin.quit());

  // Each test gets its own prefix, deleted afterwards; every open() is a separate connection.
  budgetStoreCases('redis', async () => {
    const prefix = `llmkit:test:${randomUUID()}:`;
    return {
      open: () => openRedisBudgetStore(url!, { prefix }),
      destroy: () => dropPrefix(admin, prefix),
    };
  });

  it('agrees with the SQLite store, to the nano-dollar, on 600 random reserves and settles', async () => {
    // The admission rule exists twice (store-admit.ts and its Lua copy); this replays one random
    // history on both backends, clamps and token limits included, and compares every answer.
    const prefix = `llmkit:test:${randomUUID()}:`;
    const redis = openRedisBudgetStore(url!, { prefix });
    const sqlite = openSqliteBudgetStore(':memory:');
    const next = random(7);
    const pick = (upTo: number) => Math.floor(next() * (upTo + 1));
    const templates = (round: number) => [
      line(`dollars-${round}`, { limitNanos: 5000 }),
      line(`tokens-${round}`, { limitTokens: 800 }),
      line(`both-${round}`, { limitNanos: 3000, limitTokens: 500 }),
      line(`soft-${round}`, { hard: false, limitNanos: 100 }),
      line(`zero-${round}`, { limitNanos: 0 }),
    ];
    try {
      // Fresh lines every 30 steps, so each round runs from empty to full and refusing.
      for (let round = 0; round < 20; round += 1) {
        const open: { requestId: string; amountNanos: number }[] = [];
        for (let step = 0; step < 30; step += 1) {
          if (open.length > 0 && next() < 0.4) {
            const [call] = open.splice(pick(open.length - 1), 1);
            const actual = { nanos: pick(call!.amountNanos * 2), tokens: pick(300) };
            expect(await redis.settle(call!.requestId, actual)).toEqual(
              await sqlite.settle(call!.requestId, actual),
            );
            continue;
          }
          const lines = templates(round).filter(
            (template) => next() < (template.key.startsWith('zero') ? 0.05 : 0.5),
          );
          const amountNanos = pick(1500);
          const call = reservation({
            amountNanos,
            tokens: pick(200),
            ...(next() < 0.6 ? { minimumNanos: pick(amountNanos + 50) } : {}),
          });
          const outcome = await redis.reserve(lines, call);
          expect(outcome, `round ${round}, step ${step}`).toEqual(await sqlite.reserve(lines, call));
          if (outcome.ok) open.push({ requestId: call.requestId, amountNanos: outcome.reservedNanos });
        }
        const keys = templates(round).map((template) => template.key);
        expect(await redis.state(keys)).toEqual(await sqlite.state(keys));
      }
    } finally {
      await redis.close();
      await sqlite.close();
      await dropPrefix(admin, prefix);
    }
  });

  it('gives every key an expiry: lines their period end, settled reservations the retention', async () => {
    const prefix = `llmkit:test:${randomUUID()}:`;
    const store = openRedisBudgetStore(url!, { prefix });
    try {
      const expiresAt = Date.now() + 3_600_000;
      const call = reservation();
      await store.reserve([line('a', { expiresAt })], call);
      expect(await admin.pexpiretime(`${prefix}line:a`)).toBe(expiresAt);
      expect(await admin.pttl(`${prefix}reservation:${call.requestId}`)).toBeGreaterThan(closedRetentionMs);
      await store.settle(call.requestId, { nanos: 1, tokens: 1 });
      expect(await admin.pttl(`${prefix}reservation:${call.requestId}`)).toBeLessThanOrEqual(
        closedRetentionMs,
      );
      expect(await admin.zcard(`${prefix}expiring`)).toBe(0);
      const keys = await admin.keys(`${prefix}*`);
      for (const key of keys) expect(await admin.pttl(key), key).toBeGreaterThan(0);
    } finally {
      await store.close();
      await dropPrefix(admin, prefix);
    }
  });

  it('waits out a Redis that is briefly unresponsive (CLIENT PAUSE 300 ms)', async () => {
    const prefix = `llmkit:test:${randomUUID()}:`;
    const store = openRedisBudgetStore(url!, { prefix });
    try {
      await store.state(['a']); // connected
      await admin.call('CLIENT', 'PAUSE', '300', 'ALL');
      const started = Date.now();
      expect((await store.reserve([line('a')], reservation())).ok).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    } finally {
      await store.close();
      await dropPrefix(admin, prefix);
    }
  });

  it('rejects while the connection is down, then heals by itself once Redis is back', async () => {
    const target = new URL(url!);
    const proxy = await tcpServer({ host: target.hostname, port: Number(target.port || 6379) });
    const proxied = new URL(url!);
    proxied.port = String(proxy.port);
    const prefix = `llmkit:test:${randomUUID()}:`;
    const store = openRedisBudgetStore(proxied.toString(), { prefix, commandTimeoutMs: 1000 });
    try {
      await store.state(['a']);
      await stop(proxy);
      const down = await rejection(store.state(['a']));
      expect(down.error).toBeInstanceOf(BudgetStoreUnavailableError);
      expect(down.elapsedMs).toBeLessThan(1100);
      const revived = await tcpServer(
        { host: target.hostname, port: Number(target.port || 6379) },
        proxy.port,
      );
      try {
        let healed = false;
        for (const started = Date.now(); !healed && Date.now() - started < 3000; ) {
          healed = await store.state(['a']).then(
            () => true,
            () => false,
          );
        }
        expect(healed).toBe(true);
      } finally {
        await store.close();
        await stop(revived);
      }
    } finally {
      await dropPrefix(admin, prefix);
    }
  });
});

describe('redis budget store, unreachable', () => {
  it('rejects within commandTimeoutMs with BudgetStoreUnavailableError when the port is closed, without the password', async () => {
    const closed = await tcpServer();
    await stop(closed);
    const store = openRedisBudgetStore(`redis://:hunter2@127.0.0.1:${closed.port}`, {
      commandTimeoutMs: 500,
    });
    try {
      for (const operation of [
        store.reserve([line('a')], reservation()),
        store.settle('x', { nanos: 1, tokens: 1 }),
        store.state(['a']),
        store.expire(Date.now()),
        store.claimAlert('a', 50),
      ]) {
        const { error, elapsedMs } = await rejection(operation);
        expect(error).toBeInstanceOf(BudgetStoreUnavailableError);
        expect(elapsedMs).toBeLessThan(750);
        const typed = error as BudgetStoreUnavailableError;
        expect(typed).toMatchObject({ code: 'budget_store_unavailable', exitCode: 4, retryable: true });
        expect(typed.message).toContain(`127.0.0.1:${closed.port}`);
        expect(typed.message).toMatch(/hardFailMode/);
        expect(typed.message).not.toContain('hunter2');
        expect(typed.message).not.toContain('\n');
      }
    } finally {
      await store.close();
    }
  });

  it('rejects within commandTimeoutMs when the server accepts but never answers', async () => {
    const silent = await tcpServer();
    const store = openRedisBudgetStore(`redis://127.0.0.1:${silent.port}`, { commandTimeoutMs: 300 });
    try {
      const { error, elapsedMs } = await rejection(store.reserve([line('a')], reservation()));
      expect(error).toBeInstanceOf(BudgetStoreUnavailableError);
      expect((error as Error).message).toMatch(/did not answer within 300 ms/);
      expect(elapsedMs).toBeGreaterThanOrEqual(290);
      expect(elapsedMs).toBeLessThan(600);
    } finally {
      await store.close();
      await stop(silent);
    }
  });
});
