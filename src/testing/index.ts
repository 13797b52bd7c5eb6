/** `llmkit/testing`: a fault-injecting fake OpenAI-compatible upstream for your own tests. */
export { createFakeUpstream } from './fake-upstream.js';
export { sseFromChunks } from './sse-from-chunks.js';
export type {
  FakeFault,
  FakeReply,
  FakeScript,
  FakeToolCall,
  FakeUpstream,
  FakeUpstreamOptions,
  FakeUsage,
  RecordedRequest,
} from './types.js';
