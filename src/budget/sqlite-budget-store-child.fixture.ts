// Run by sqlite-budget-store.test.ts as one of several processes sharing one budget file. Opens
// the store, says "ready", waits for "go" on stdin (so the processes start together), then makes
// `calls` reserve-then-settle calls of $0.10 worst case against a $20 hard line, in bursts of 10
// with a 1 ms pause between (the processes take turns on the lock), and prints what it committed.
import { createInterface } from 'node:readline';
import { openSqliteBudgetStore } from './sqlite-budget-store.js';

const [path, name, calls] = process.argv.slice(2);
if (!path || !name || !calls) throw new Error('usage: child <budget file> <name> <calls>');
const store = openSqliteBudgetStore(path);
const line = {
  key: 'shared',
  limitNanos: 20_000_000_000,
  limitTokens: null,
  hard: true,
  expiresAt: Date.now() + 3_600_000,
};
process.stdout.write('ready\n');
for await (const command of createInterface({ input: process.stdin })) if (command === 'go') break;
let accepted = 0;
let committed = 0;
for (let index = 0; index < Number(calls); index += 1) {
  if (index % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  const requestId = `${name}-${index}`;
  const outcome = await store.reserve([line], {
    requestId,
    amountNanos: 100_000_000,
    tokens: 0,
    expiresAt: Date.now() + 60_000,
  });
  if (!outcome.ok) continue;
  const actual = 50_000_000 + Math.floor(Math.random() * 50_000_001);
  await store.settle(requestId, { nanos: actual, tokens: 0 });
  accepted += 1;
  committed += actual;
}
await store.close();
process.stdout.write(`${JSON.stringify({ accepted, committed })}\n`);
