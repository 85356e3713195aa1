import { setTimeout as sleep } from 'node:timers/promises';
import { encode, decode } from 'gpt-tokenizer';
import type { ModelEvent, ModelProvider, ModelTurnRequest } from './model-provider.js';
import { promptTokensOf, type TokenCounter } from './token-counter.js';

const REPLIES = {
  ko: [
    '말씀해 주셔서 감사합니다. 지금 상황을 조금 더 구체적으로 알려 주시면 더 정확하게 도와드릴 수 있어요. 언제부터 그런 고민이 시작되었는지, 가장 마음에 걸리는 부분이 무엇인지 편하게 이야기해 주세요.',
    '좋은 질문이에요. 먼저 현재 상황을 정리해 보면 도움이 됩니다. 해결하고 싶은 목표 한 가지와 지금 할 수 있는 작은 행동 한 가지를 적어 보세요. 그다음 단계는 함께 찾아보겠습니다.',
    '충분히 그렇게 느끼실 수 있어요. 많은 분들이 비슷한 고민을 하십니다. 오늘은 부담을 조금 내려놓고, 내가 통제할 수 있는 것과 없는 것을 나누어 생각해 보는 것부터 시작해 보면 어떨까요?',
  ],
  en: [
    'Thank you for sharing that. If you tell me a little more about your situation, I can help more precisely. When did this start, and what worries you the most about it?',
    'Good question. It often helps to write down one goal you want to reach and one small step you can take today. We can work out the next step together.',
    'It makes sense to feel that way, and many people face something similar. Let us start by separating what you can control from what you cannot.',
  ],
};

/**
 * The built-in offline consultant: the embedded default when no OPENAI_API_KEY is set, so the
 * whole product works on a bare machine. It streams one token at a time and reports usage
 * counted with the same tokenizer the estimate uses.
 */
export class DemoProvider implements ModelProvider {
  readonly name = 'demo';

  constructor(
    private readonly delayMs: number,
    private readonly counter: TokenCounter,
  ) {}

  async *stream(request: ModelTurnRequest): AsyncIterable<ModelEvent> {
    const lastUser = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
    const replies = REPLIES[request.locale];
    const reply = replies[hash(lastUser) % replies.length]!;
    const tokens = encode(reply).slice(0, Math.max(1, request.maxCompletionTokens));
    let emitted = 0;
    // A Korean syllable can span tokens: hold tokens back until they decode to whole characters.
    let pending: number[] = [];
    for (const token of tokens) {
      if (request.signal.aborted) return;
      if (this.delayMs > 0) await sleep(this.delayMs, undefined, { signal: request.signal }).catch(() => undefined);
      if (request.signal.aborted) return;
      pending.push(token);
      emitted += 1;
      const text = decode(pending);
      if (text.includes('\uFFFD')) continue;
      pending = [];
      yield { type: 'delta', text };
    }
    // Usage of a reply already streamed: counted whatever the queue, as a real provider reports it.
    const contentTokens = await this.counter.count(request.messages.map((message) => message.content), { charging: true });
    yield { type: 'usage', promptTokens: promptTokensOf(contentTokens), completionTokens: emitted };
  }
}

function hash(text: string): number {
  let value = 0;
  for (const char of text) value = (value * 31 + char.charCodeAt(0)) >>> 0;
  return value;
}
