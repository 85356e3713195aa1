import { describe, expect, it } from 'vitest';
import { DemoProvider } from './demo.provider.js';
import type { ModelEvent } from './model-provider.js';
import { testConfig } from '../../testing/test-config.js';
import { countPromptTokens, countTextTokens, TokenCounter } from './token-counter.js';

/** Short texts only: the counter never needs its worker pool here. */
const counter = new TokenCounter(testConfig());

async function collect(provider: DemoProvider, locale: 'ko' | 'en', maxCompletionTokens = 1_000, signal = new AbortController().signal) {
  const messages = [
    { role: 'system' as const, content: 'system' },
    { role: 'user' as const, content: '요즘 잠이 잘 안 와요' },
  ];
  const events: ModelEvent[] = [];
  for await (const event of provider.stream({ providerModel: 'demo', messages, maxCompletionTokens, locale, signal })) events.push(event);
  return { events, messages };
}

describe('the built-in demo consultant', () => {
  it('streams a Korean reply piece by piece and reports usage counted with the tokenizer', async () => {
    const { events, messages } = await collect(new DemoProvider(0, counter), 'ko');
    const text = events.flatMap((event) => (event.type === 'delta' ? [event.text] : [])).join('');
    expect(events.filter((event) => event.type === 'delta').length).toBeGreaterThan(5);
    expect(text).toMatch(/[가-힣]/);
    expect(text).not.toContain('\uFFFD');
    expect(events.at(-1)).toEqual({ type: 'usage', promptTokens: countPromptTokens(messages), completionTokens: countTextTokens(text) });
  });

  it('answers in English when asked and respects the completion limit', async () => {
    const { events } = await collect(new DemoProvider(0, counter), 'en', 5);
    const text = events.flatMap((event) => (event.type === 'delta' ? [event.text] : [])).join('');
    expect(text).toMatch(/^[A-Z][a-z]/);
    expect(events.at(-1)).toMatchObject({ type: 'usage', completionTokens: 5 });
  });

  it('stops when the client leaves', async () => {
    const controller = new AbortController();
    controller.abort();
    const { events } = await collect(new DemoProvider(5, counter), 'ko', 1_000, controller.signal);
    expect(events).toEqual([]);
  });
});
