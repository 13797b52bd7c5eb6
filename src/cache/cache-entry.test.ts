import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../providers/types.js';
import { AnswerRecorder, type CacheEntry, parseEntry, replayModel } from './cache-entry.js';

const usage = { inputTokens: 5, outputTokens: 3, totalTokens: 8 };

function record(parts: StreamPart[], choices = 1) {
  const recorder = new AnswerRecorder();
  for (const part of parts) recorder.add(part);
  return recorder.response(choices);
}

async function replayed(entry: CacheEntry): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  const reader = (await replayModel(entry).stream({ messages: [] }, {})).getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) parts.push(next.value);
  return parts;
}

describe('AnswerRecorder and replay', () => {
  it('keeps a streamed answer compactly and replays the same text, tool calls and usage', async () => {
    const response = record([
      { type: 'response-metadata', id: 'chatcmpl-1', model: 'fake-model-2024', requestId: 'req-1' },
      { type: 'reasoning-delta', choiceIndex: 0, text: 'think' },
      { type: 'text-delta', choiceIndex: 0, text: 'Hel' },
      { type: 'text-delta', choiceIndex: 0, text: 'lo' },
      {
        type: 'tool-call-delta',
        choiceIndex: 0,
        toolCallIndex: 0,
        id: 'call_a',
        name: 'get',
        argumentsDelta: '{"a"',
      },
      { type: 'tool-call-delta', choiceIndex: 0, toolCallIndex: 0, argumentsDelta: ':1}' },
      { type: 'finish', choiceIndex: 0, finishReason: 'tool_calls' },
      { type: 'usage', usage },
    ]);
    expect(response).toBeDefined();
    const entry: CacheEntry = {
      version: 1,
      provider: 'fake',
      model: 'fake-model',
      createdAt: 1,
      response: response!,
    };
    const back = parseEntry(JSON.stringify(entry))!;
    expect(await replayed(back)).toEqual([
      { type: 'response-metadata', model: 'fake-model-2024' },
      { type: 'reasoning-delta', choiceIndex: 0, text: 'think' },
      { type: 'text-delta', choiceIndex: 0, text: 'Hello' },
      {
        type: 'tool-call-delta',
        choiceIndex: 0,
        toolCallIndex: 0,
        id: 'call_a',
        name: 'get',
        argumentsDelta: '{"a":1}',
      },
      { type: 'finish', choiceIndex: 0, finishReason: 'tool_calls' },
      { type: 'usage', usage },
    ]);
    expect(await replayModel(back).generate({ messages: [] }, {})).toEqual(response);
  });

  it('keeps nothing unless every choice asked for finished well', () => {
    const finished = (choiceIndex: number, finishReason: 'stop' | 'error' | 'content_filter' = 'stop') => [
      { type: 'text-delta', choiceIndex, text: 'x' } as const,
      { type: 'finish', choiceIndex, finishReason } as const,
    ];
    expect(record([...finished(0), ...finished(1)], 2)).toBeDefined();
    expect(record(finished(0), 2)).toBeUndefined();
    expect(record([{ type: 'text-delta', choiceIndex: 0, text: 'cut sh' }])).toBeUndefined();
    expect(record(finished(0, 'error'))).toBeUndefined();
    expect(record(finished(0, 'content_filter'))).toBeUndefined();
  });

  it('reads anything that is not a stored answer as no entry', () => {
    expect(parseEntry('not json')).toBeUndefined();
    expect(
      parseEntry(JSON.stringify({ version: 2, provider: 'p', model: 'm', createdAt: 1 })),
    ).toBeUndefined();
    expect(
      parseEntry(
        JSON.stringify({ version: 1, provider: 'p', model: 'm', createdAt: 1, response: { choices: [] } }),
      ),
    ).toBeUndefined();
  });
});
