import type { ModelResponse, StreamPart } from '../../providers/types.js';
import type { NamedStep } from '../pipeline.js';

/** Calls the adapter. A non-streaming response becomes the same parts a stream would carry. */
export const providerStep: NamedStep = {
  name: 'provider',
  async run(context) {
    const target = context.target;
    if (!target) throw new Error('the provider step ran before the route step');
    const options = { signal: context.attemptSignal ?? context.signal, headers: context.headers };
    if (context.mode === 'stream') return target.languageModel.stream(context.request, options);
    const response = await target.languageModel.generate(context.request, options);
    const parts = responseParts(response);
    return new ReadableStream<StreamPart>({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    });
  },
};

export function responseParts(response: ModelResponse): StreamPart[] {
  const parts: StreamPart[] = [];
  const metadata: StreamPart = { type: 'response-metadata' };
  if (response.id) metadata.id = response.id;
  if (response.model) metadata.model = response.model;
  if (response.requestId) metadata.requestId = response.requestId;
  parts.push(metadata);
  for (const choice of response.choices) {
    if (choice.reasoning)
      parts.push({ type: 'reasoning-delta', choiceIndex: choice.index, text: choice.reasoning });
    const content = choice.message.content;
    if (content) parts.push({ type: 'text-delta', choiceIndex: choice.index, text: content });
    for (const [toolCallIndex, call] of (choice.message.tool_calls ?? []).entries()) {
      parts.push({
        type: 'tool-call-delta',
        choiceIndex: choice.index,
        toolCallIndex,
        id: call.id,
        name: call.function.name,
        argumentsDelta: call.function.arguments,
      });
    }
    parts.push({ type: 'finish', choiceIndex: choice.index, finishReason: choice.finishReason });
  }
  if (response.usage) parts.push({ type: 'usage', usage: response.usage });
  return parts;
}
