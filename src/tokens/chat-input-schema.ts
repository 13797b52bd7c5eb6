import { z } from 'zod';
import type { ChatMessage, ToolDefinition } from '../providers/types.js';

// Outside input (a file a user saved, a request body) becomes `ChatMessage[]` here. Unknown
// keys are dropped rather than refused: chat logs carry extras (`reasoning_content`, `audio`)
// that are not part of the prompt.
const text = z.string();
const name = text.exactOptional();
const textPart = z.object({ type: z.literal('text'), text });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: text, detail: z.enum(['auto', 'low', 'high']).exactOptional() }),
});
const toolCall = z.object({
  id: text,
  type: z.literal('function'),
  function: z.object({ name: text, arguments: text }),
});

const message = z.discriminatedUnion('role', [
  z.object({
    role: z.enum(['system', 'developer']),
    content: z.union([text, z.array(textPart)], { error: 'must be a string or an array of text parts' }),
    name,
  }),
  z.object({
    role: z.literal('user'),
    content: z.union([text, z.array(z.discriminatedUnion('type', [textPart, imagePart]))], {
      error: 'must be a string or an array of text and image_url parts',
    }),
    name,
  }),
  z.object({
    role: z.literal('assistant'),
    // Assistant turns that only call tools carry no content at all in some logs.
    content: z.union([text, z.null()]).default(null),
    name,
    tool_calls: z.array(toolCall).exactOptional(),
    refusal: z.union([text, z.null()]).exactOptional(),
  }),
  z.object({ role: z.literal('tool'), content: text, tool_call_id: text }),
]);

const toolDefinition = z.object({
  type: z.literal('function'),
  function: z.object({
    name: text,
    description: text.exactOptional(),
    parameters: z.record(z.string(), z.unknown()).exactOptional(),
    strict: z.boolean().exactOptional(),
  }),
});

export interface ChatInput {
  messages: ChatMessage[];
  tools: ToolDefinition[];
}

/**
 * A conversation as saved to a file: a bare messages array, or `{ messages, tools }`. The type
 * annotation makes the build fail if the schema drifts from the types the rest of llmkit uses.
 */
export const chatInputSchema: z.ZodType<ChatInput> = z.preprocess(
  // One shape to validate, so an error names `messages[1].role` instead of listing how the
  // value failed to be either shape.
  (value) => (Array.isArray(value) ? { messages: value } : value),
  z.object({ messages: z.array(message), tools: z.array(toolDefinition).default([]) }),
);
