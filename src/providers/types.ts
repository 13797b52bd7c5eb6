/**
 * The request and response shapes shared by the client and every adapter. They follow the
 * OpenAI chat format, which every provider in our presets speaks, in camelCase.
 */

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface TextPart {
  type: 'text';
  text: string;
}
export interface ImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}
export type ContentPart = TextPart | ImagePart;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system' | 'developer'; content: string | TextPart[]; name?: string }
  | { role: 'user'; content: string | ContentPart[]; name?: string }
  | {
      role: 'assistant';
      content: string | null;
      name?: string;
      tool_calls?: ToolCall[];
      refusal?: string | null;
    }
  | { role: 'tool'; content: string; tool_call_id: string };

export type AssistantMessage = Extract<ChatMessage, { role: 'assistant' }>;

export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean };
    };

/** What a caller may ask of a model. Unset fields are not sent. */
export interface ModelRequest {
  messages: ChatMessage[];
  temperature?: number;
  topP?: number;
  /** Sent as `max_tokens`, the field every compatible server reads. */
  maxTokens?: number;
  /** Sent as `max_completion_tokens` (OpenAI reasoning models require it instead of `max_tokens`). */
  maxCompletionTokens?: number;
  stop?: string | string[];
  seed?: number;
  n?: number;
  user?: string;
  presencePenalty?: number;
  frequencyPenalty?: number;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  /** Extra provider-specific body fields, merged last (e.g. `{ enable_thinking: false }` for Qwen). */
  extraBody?: Record<string, unknown>;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | 'other';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** Input tokens served from the provider's prompt cache, when reported. */
  cachedInputTokens?: number;
  /** Output tokens spent on hidden reasoning, when reported. */
  reasoningTokens?: number;
}

export interface Choice {
  index: number;
  message: AssistantMessage;
  finishReason: FinishReason;
  /** Visible reasoning some models return beside the answer (DeepSeek R1, Qwen `reasoning_content`). */
  reasoning?: string;
}

export interface ResponseMetadata {
  /** The upstream's response id (`chatcmpl-...`). */
  id?: string;
  /** The model the upstream says answered, which may differ from the one asked for. */
  model?: string;
  /** The upstream request id header, for support tickets. */
  requestId?: string;
}

export interface ModelResponse extends ResponseMetadata {
  choices: Choice[];
  usage?: Usage;
}

/** Events of a streamed response. Names are noun-verb, as in the rest of llmkit. */
export type StreamPart =
  | ({ type: 'response-metadata' } & ResponseMetadata)
  | { type: 'text-delta'; choiceIndex: number; text: string }
  | { type: 'reasoning-delta'; choiceIndex: number; text: string }
  | {
      type: 'tool-call-delta';
      choiceIndex: number;
      /** Position of the call in the message's `tool_calls`; deltas of one call share it. */
      toolCallIndex: number;
      id?: string;
      name?: string;
      argumentsDelta: string;
    }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; choiceIndex: number; finishReason: FinishReason };

export interface ModelCallOptions {
  /** Aborts the HTTP request; adapters must pass it to the transport. */
  signal?: AbortSignal;
  /** Extra HTTP headers for this call. */
  headers?: Record<string, string>;
}
