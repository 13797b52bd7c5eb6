/**
 * Serializes objects into the SSE text an OpenAI-compatible server sends, so a test can hand
 * hand-made chunks to `FakeReply.sse` or to a parser without writing the framing itself.
 */
export function sseFromChunks(chunks: object[], options: { done?: boolean } = {}): string {
  const events = chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`);
  if (options.done ?? true) events.push('data: [DONE]\n\n');
  return events.join('');
}
