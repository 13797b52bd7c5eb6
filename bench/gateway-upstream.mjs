// The fake upstream of the gateway bench, in its own process (pinned by the harness to the load
// generator's core). Prints its base URL on the first line. The harness changes the reply between
// cells over IPC: `{ reply }` sets the default reply and is answered with `{ ok: true }`.
import { createFakeUpstream } from '../dist/testing/index.js';

const upstream = await createFakeUpstream();
upstream.setDefault({ text: 'The quick brown fox jumps over the lazy dog.' });
// The fake records every request for tests to inspect; at ~20,000 req/s that list would grow by
// tens of MB a second and its GC would load the core the load generator shares with us.
setInterval(() => {
  upstream.requests.length = 0;
}, 500).unref();
process.stdout.write(`${upstream.url}\n`);
process.on('message', (message) => {
  if (message?.reply === undefined) return;
  upstream.setDefault(message.reply);
  process.send({ ok: true });
});
process.on('disconnect', () => upstream.close().then(() => process.exit(0)));
