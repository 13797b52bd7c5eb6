// The fake upstream in its own process, so the server's work does not share the event loop
// (or the core) with the client being measured. Prints its base URL on the first line.
import { createFakeUpstream } from '../dist/testing/index.js';

const upstream = await createFakeUpstream();
upstream.setDefault({ text: 'The quick brown fox jumps over the lazy dog.' });
process.stdout.write(`${upstream.url}\n`);
process.on('message', (message) => {
  if (message !== 'reset') return;
  upstream.reset();
  upstream.setDefault({ text: 'The quick brown fox jumps over the lazy dog.' });
});
process.on('disconnect', () => upstream.close().then(() => process.exit(0)));
