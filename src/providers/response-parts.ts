import type { ModelResponse, StreamPart } from './types.js';

/** The parts a stream would have carried for this whole response, in stream order. */
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

/** A whole response as a stream of parts, so every call looks the same to the pipeline. */
export function responsePartStream(response: ModelResponse): ReadableStream<StreamPart> {
  const parts = responseParts(response);
  return new ReadableStream<StreamPart>({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}
