import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openRedisBudgetStore } from '../../src/budget/redis-budget-store.js';
import { createFakeUpstream } from '../../src/testing/index.js';
import { redisUrl } from '../support/services.js';

const redis = await redisUrl();
const spender = fileURLToPath(new URL('./fixtures/spender.mjs', import.meta.url));

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => resolve(text));
  });
}

describe.skipIf(!redis)('three processes sharing one Redis budget', () => {
  it('never commit more than the limit, and alert exactly once per threshold', {
    timeout: 60_000,
  }, async () => {
    const upstream = await createFakeUpstream();
    // Each call may cost $0.10 (1,000 output tokens at $100/1M) and costs $0.05 to $0.10.
    upstream.setDefault(() => ({
      usage: { prompt_tokens: 3, completion_tokens: 500 + Math.floor(Math.random() * 501) },
    }));
    const alerts: Array<{ threshold: number; budget: string }> = [];
    const receiver = createServer(async (request, response) => {
      const event = JSON.parse(await body(request)) as {
        kind: string;
        threshold: number;
        budget: { name: string };
      };
      if (event.kind === 'threshold') alerts.push({ threshold: event.threshold, budget: event.budget.name });
      response.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const home = mkdtempSync(join(tmpdir(), 'llmkit-spenders-'));
    const budgetName = `shared-${randomBytes(6).toString('hex')}`;
    try {
      const env = {
        PATH: process.env['PATH'] ?? '',
        SPENDER_HOME: home,
        UPSTREAM_URL: upstream.url,
        REDIS_URL: redis!,
        RECEIVER_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`,
        BUDGET_NAME: budgetName,
        CALLS: '150',
      };
      const runs = await Promise.all(
        [1, 2, 3].map(
          () =>
            new Promise<{ accepted: number; refused: number; errors: string[] }>((resolve, reject) => {
              const child = spawn(process.execPath, [spender], { env, stdio: ['ignore', 'pipe', 'pipe'] });
              let out = '';
              let err = '';
              child.stdout.on('data', (chunk) => {
                out += chunk;
              });
              child.stderr.on('data', (chunk) => {
                err += chunk;
              });
              child.on('exit', (code) =>
                code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`spender exited ${code}: ${err}`)),
              );
            }),
        ),
      );
      const accepted = runs.reduce((sum, run) => sum + run.accepted, 0);
      const refused = runs.reduce((sum, run) => sum + run.refused, 0);
      expect(runs.flatMap((run) => run.errors)).toEqual([]);
      expect(accepted + refused).toBe(450);
      expect(accepted).toBeGreaterThanOrEqual(200); // $20 holds at least 200 worst cases
      expect(upstream.requests).toHaveLength(accepted);

      const store = openRedisBudgetStore(redis!);
      let percent = 0;
      try {
        const day = new Date().toISOString().slice(0, 10);
        const [line] = await store.state([`${budgetName}|${day}`]);
        expect(line!.reservedNanos).toBe(0);
        expect(line!.spentNanos).toBeLessThanOrEqual(20_000_000_000);
        expect(line!.spentNanos).toBeGreaterThan(0);
        percent = (line!.spentNanos / 20_000_000_000) * 100;
      } finally {
        await store.close();
      }
      // Reservations hold the worst case, so the final spend may stop short of some thresholds:
      // each one the spend passed was announced by exactly one of the three processes.
      const byThreshold = (threshold: number) =>
        alerts.filter((alert) => alert.threshold === threshold).length;
      for (const threshold of [50, 80, 100])
        expect(byThreshold(threshold)).toBe(percent >= threshold ? 1 : 0);
      expect(percent).toBeGreaterThanOrEqual(50);
      expect(alerts.every((alert) => alert.budget === budgetName)).toBe(true);
    } finally {
      receiver.close();
      await upstream.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
