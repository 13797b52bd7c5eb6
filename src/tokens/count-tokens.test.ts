import { describe, expect, it } from 'vitest';
import type { ChatMessage, ToolDefinition } from '../providers/types.js';
import { countTextTokens } from './count-text-tokens.js';
import { countTokens } from './count-tokens.js';

// openai-cookbook, "How to count tokens with tiktoken", section 6: the API reported 129 prompt
// tokens for this conversation on gpt-3.5-turbo and gpt-4, 124 on gpt-4o and gpt-4o-mini.
const cookbookConversation: ChatMessage[] = [
  {
    role: 'system',
    content:
      'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.',
  },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  {
    role: 'system',
    name: 'example_assistant',
    content: 'Things working well together will increase revenue.',
  },
  {
    role: 'system',
    name: 'example_user',
    content:
      "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: "Let's talk later when we're less busy about how to do better.",
  },
  {
    role: 'user',
    content: "This late pivot means we don't have time to boil the ocean for the client deliverable.",
  },
];

// Section 7 of the same notebook: 105 prompt tokens on gpt-3.5-turbo and gpt-4, 101 on gpt-4o.
const weatherTool: ToolDefinition = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: 'Get the current weather in a given location',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
        unit: {
          type: 'string',
          description: 'The unit of temperature to return',
          enum: ['celsius', 'fahrenheit'],
        },
      },
      required: ['location'],
    },
  },
};
const weatherConversation: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful assistant that can answer to questions about the weather.' },
  { role: 'user', content: "What's the weather like in San Francisco?" },
];

describe('countTokens on conversations', () => {
  it.each([
    ['gpt-3.5-turbo', 129, 'cl100k_base'],
    ['gpt-4-0613', 129, 'cl100k_base'],
    ['gpt-4', 129, 'cl100k_base'],
    ['gpt-4o', 124, 'o200k_base'],
    ['openai/gpt-4o-mini', 124, 'o200k_base'],
  ] as const)(
    'matches the usage OpenAI reported for the cookbook conversation on %s',
    (model, tokens, encoding) => {
      expect(countTokens(cookbookConversation, model)).toEqual({ tokens, exact: true, encoding });
    },
  );

  it.each([
    ['gpt-3.5-turbo', 105],
    ['gpt-4', 105],
    ['gpt-4o', 101],
    ['gpt-4o-mini', 101],
  ] as const)(
    'matches the usage OpenAI reported with the cookbook weather tool on %s, as an estimate',
    (model, tokens) => {
      expect(countTokens(weatherConversation, model, { tools: [weatherTool] })).toMatchObject({
        tokens,
        exact: false,
      });
    },
  );

  it('adds 3 per message, the role, 1 and the text per name, and 3 to prime the reply', () => {
    // <|start|>user<|message|>Hello<|end|> then <|start|>assistant<|message|>
    expect(countTokens([{ role: 'user', content: 'Hello' }], 'gpt-4o').tokens).toBe(8);
    expect(countTokens([], 'gpt-4o').tokens).toBe(3);
    const named = countTokens([{ role: 'user', name: 'grace_hopper', content: 'Hello' }], 'gpt-4o');
    expect(named.tokens).toBe(8 + countTextTokens('grace_hopper', 'o200k_base') + 1);
  });

  it('counts a plain text without any chat overhead', () => {
    const text = 'Count me as a document, not as a message.';
    expect(countTokens(text, 'gpt-4o')).toEqual({
      tokens: countTextTokens(text, 'o200k_base'),
      exact: true,
      encoding: 'o200k_base',
    });
  });

  it('counts one text part like the same string, and flags several parts as an estimate', () => {
    const asString = countTokens([{ role: 'user', content: 'Describe this.' }], 'gpt-4o');
    const asPart = countTokens(
      [{ role: 'user', content: [{ type: 'text', text: 'Describe this.' }] }],
      'gpt-4o',
    );
    expect(asPart).toEqual(asString);
    const parts = countTokens(
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe' },
            { type: 'text', text: ' this.' },
          ],
        },
      ],
      'gpt-4o',
    );
    expect(parts.exact).toBe(false);
  });

  it('counts each image as 85 tokens and flags the count as an estimate', () => {
    const text = countTokens([{ role: 'user', content: 'What is in this picture?' }], 'gpt-4o');
    const withImages = countTokens(
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
      'gpt-4o',
    );
    expect(withImages).toEqual({ tokens: text.tokens + 2 * 85, exact: false, encoding: 'o200k_base' });
  });

  it('counts tool calls by name and arguments and tool results by content, as estimates', () => {
    const call = { name: 'get_current_weather', arguments: '{"location":"Paris, France"}' };
    const question: ChatMessage = { role: 'user', content: 'Weather in Paris?' };
    const before = countTokens([question], 'gpt-4o');
    const afterCall = countTokens(
      [
        question,
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: call }],
        },
      ],
      'gpt-4o',
    );
    const callTokens =
      countTextTokens(call.name, 'o200k_base') + countTextTokens(call.arguments, 'o200k_base');
    expect(afterCall).toEqual({
      tokens: before.tokens + 3 + countTextTokens('assistant', 'o200k_base') + callTokens,
      exact: false,
      encoding: 'o200k_base',
    });
    const result = '{"temperature_c":18,"sky":"cloudy"}';
    const afterResult = countTokens(
      [question, { role: 'tool', tool_call_id: 'call_1', content: result }],
      'gpt-4o',
    );
    expect(afterResult).toEqual({
      tokens:
        before.tokens + 3 + countTextTokens('tool', 'o200k_base') + countTextTokens(result, 'o200k_base'),
      exact: false,
      encoding: 'o200k_base',
    });
  });

  it('counts nested tool parameters, which the fitted recipe does not cover, by their JSON', () => {
    const flat = countTokens(weatherConversation, 'gpt-4o', { tools: [weatherTool] });
    const nested = structuredClone(weatherTool);
    const properties = nested.function.parameters?.['properties'] as Record<string, unknown>;
    properties['days'] = {
      type: 'array',
      description: 'Days to forecast',
      items: { type: 'string', format: 'date' },
    };
    const withNested = countTokens(weatherConversation, 'gpt-4o', { tools: [nested] });
    expect(withNested.tokens).toBeGreaterThan(
      flat.tokens + countTextTokens('days:array:Days to forecast', 'o200k_base'),
    );
  });

  it('counts other vendors with o200k as an estimate, and gpt-oss chats as an estimate', () => {
    const openai = countTokens(cookbookConversation, 'gpt-4o');
    expect(countTokens(cookbookConversation, 'deepseek/deepseek-chat')).toEqual({ ...openai, exact: false });
    expect(countTokens(cookbookConversation, 'dashscope/qwen-plus')).toEqual({ ...openai, exact: false });
    // gpt-oss shares o200k's text tokens, but its harmony template adds a hidden system preamble.
    expect(countTokens('plain text', 'gpt-oss-120b').exact).toBe(true);
    expect(countTokens(cookbookConversation, 'gpt-oss-120b')).toEqual({ ...openai, exact: false });
  });
});
