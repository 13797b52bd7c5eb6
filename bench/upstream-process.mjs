// The fake upstream in its own process, so the server's work does not share the event loop
// (or the core) with the client being measured. Prints its base URL on the first line.
import { createFakeUpstream } from '../dist/testing/index.js';

// Optional first argument: the latency of every answer, in ms (the batch bench uses 100).
const latencyMs = Number(process.argv[2] ?? 0);
const reply = {
  text: 'The quick brown fox jumps over the lazy dog.',
  ...(latencyMs > 0 ? { latencyMs } : {}),
};
const upstream = await createFakeUpstream();
upstream.setDefault(reply);
process.stdout.write(`${upstream.url}\n`);
process.on('message', (message) => {
  if (message !== 'reset') return;
  upstream.reset();
  upstream.setDefault(reply);
});
process.on('disconnect', () => upstream.close().then(() => process.exit(0)));
