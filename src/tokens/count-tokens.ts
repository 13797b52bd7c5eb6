import type { ChatMessage, ContentPart, ToolDefinition } from '../providers/types.js';
import { countTextTokens } from './count-text-tokens.js';
import { type Encoding, modelTokenizer } from './encoding-for.js';
import { toolDefinitionTokens } from './tool-definition-tokens.js';

export interface TokenCount {
  tokens: number;
  /** True when the count should match the provider's reported prompt tokens to the token. */
  exact: boolean;
  encoding: Encoding;
}

export interface CountTokensOptions {
  /** Tool definitions sent with the messages; they are counted as an estimate. */
  tools?: ToolDefinition[];
}

/**
 * The chat format's overhead, from OpenAI's published recipe (openai-cookbook, "How to count
 * tokens with tiktoken", section 6, `num_tokens_from_messages`, for gpt-3.5-turbo-0125, gpt-4
 * and gpt-4o). Each message is `<|start|>{role}<|message|>{content}<|end|>`: 3 tokens around the
 * role and content, which are counted as text; a `name` costs its text plus 1; the reply is
 * primed with `<|start|>assistant<|message|>`, 3 more. With these the cookbook's six-message
 * example counts 129 tokens on gpt-4 and 124 on gpt-4o, as the API reports.
 */
const tokensPerMessage = 3;
const tokensPerName = 1;
const replyPriming = 3;

/**
 * A flat guess per image: 85 tokens is the price of one low-detail image on gpt-4o and
 * gpt-4-turbo. High and auto detail add 170 tokens per 512-pixel tile, which needs the image's
 * size (we do not download it), and some models (gpt-4o-mini) bill images at many times the
 * rate, so the count is flagged an estimate and is a floor, not a ceiling.
 */
const imageTokens = 85;

interface Counted {
  tokens: number;
  exact: boolean;
}

function contentTokens(content: string | readonly ContentPart[] | null, encoding: Encoding): Counted {
  if (content === null) return { tokens: 0, exact: true };
  if (typeof content === 'string') return { tokens: countTextTokens(content, encoding), exact: true };
  let tokens = 0;
  let images = 0;
  for (const part of content) {
    if (part.type === 'text') tokens += countTextTokens(part.text, encoding);
    else images += 1;
  }
  // How the API joins several text parts is not published; counted apart they may differ by a
  // token at each seam.
  return { tokens: tokens + images * imageTokens, exact: images === 0 && content.length <= 1 };
}

function messageTokens(message: ChatMessage, encoding: Encoding): Counted {
  let tokens = tokensPerMessage + countTextTokens(message.role, encoding);
  if ('name' in message && message.name !== undefined)
    tokens += countTextTokens(message.name, encoding) + tokensPerName;
  const content = contentTokens(message.content, encoding);
  tokens += content.tokens;
  // Tool calls and tool results are outside the recipe: the rendering of a call (its id, the
  // `functions.` recipient, the JSON framing) is not published, so they count as an estimate
  // of their name and arguments, and a tool message as its content.
  let exact = content.exact && message.role !== 'tool';
  if (message.role === 'assistant') {
    for (const call of message.tool_calls ?? []) {
      tokens +=
        countTextTokens(call.function.name, encoding) + countTextTokens(call.function.arguments, encoding);
      exact = false;
    }
    if (typeof message.refusal === 'string') tokens += countTextTokens(message.refusal, encoding);
  }
  return { tokens, exact };
}

/**
 * Prompt tokens of a text or a conversation for a model (`provider/model` or a bare model id).
 * A text is counted as-is; messages get the chat format's overhead. `exact` is false when any
 * part is estimated: a model outside OpenAI's families or not served by OpenAI, images, tool
 * definitions, tool calls.
 */
export function countTokens(
  input: string | readonly ChatMessage[],
  model: string,
  options: CountTokensOptions = {},
): TokenCount {
  const { encoding, exact, chatRecipe } = modelTokenizer(model);
  if (typeof input === 'string') return { tokens: countTextTokens(input, encoding), exact, encoding };
  let tokens = replyPriming;
  let allExact = exact && chatRecipe;
  for (const message of input) {
    const counted = messageTokens(message, encoding);
    tokens += counted.tokens;
    allExact &&= counted.exact;
  }
  const tools = options.tools ?? [];
  if (tools.length > 0) {
    tokens += toolDefinitionTokens(tools, encoding);
    allExact = false;
  }
  return { tokens, exact: allExact, encoding };
}
