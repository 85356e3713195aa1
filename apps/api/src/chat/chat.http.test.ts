import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ledgerEntries, messages } from '../database/schema.js';
import { appLedger } from '../../testing/ledger-harness.js';
import { FakeOpenAiServer } from '../../testing/fake-openai-server.js';
import { readSse } from '../../testing/sse.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

let fake: FakeOpenAiServer;
let api: TestApp;
let admin: { id: string; token: string };

beforeAll(async () => {
  fake = await new FakeOpenAiServer().start();
  api = await createTestApp({ OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.url, OPENAI_TIMEOUT_MS: '800' });
  admin = await api.signUpAdmin();
});
afterAll(async () => {
  await api?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.defaultBehavior = { kind: 'reply' };
});

async function consumptions(userId: string) {
  return api.database.db.select().from(ledgerEntries).where(and(eq(ledgerEntries.userId, userId), eq(ledgerEntries.kind, 'CONSUMPTION')));
}

async function ledgerEntryOfReply(messageId: number) {
  const [row] = await api.database.db.select({ ledgerEntryId: messages.ledgerEntryId }).from(messages).where(eq(messages.id, messageId));
  return row?.ledgerEntryId;
}

async function balances(userId: string) {
  return (await appLedger(api.app).usage(userId)).balances;
}

async function setUsage(userId: string, usagePercent: number) {
  const response = await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId, usagePercent } });
  expect(response.status).toBe(200);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not met in time');
}

describe('POST /api/chat/send against an OpenAI-compatible server', () => {
  it('charges the reported usage × the model weights and keeps the turn in the conversation', async () => {
    const user = await api.signUp();
    fake.next({ kind: 'reply', text: '반갑습니다. 무엇이든 물어보세요.', promptTokens: 100, completionTokens: 50 });
    const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '안녕하세요', model: 'consult-pro' } });
    expect(response.status).toBe(200);
    // consult-pro weighs input × 2 and output × 4.
    expect(response.body).toMatchObject({ content: '반갑습니다. 무엇이든 물어보세요.', model: 'consult-pro', warning: null, level: 'NORMAL' });
    expect(response.body.usage).toEqual({ promptTokens: 100, completionTokens: 50, chargedTokens: 400, purchasedTokens: 0, freeTokens: 400, overageTokens: 0, estimated: false });
    const request = fake.requests.at(-1)!;
    expect(request.authorization).toBe('Bearer test-key');
    expect(request.body).toMatchObject({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, max_tokens: 2_048 });
    expect(request.body.messages.at(-1)).toEqual({ role: 'user', content: '안녕하세요' });
    const [entry] = await consumptions(user.id);
    expect(entry).toMatchObject({ amountTokens: 400, freeDelta: -400, heldDelta: expect.any(Number) });
    expect(await balances(user.id)).toMatchObject({ heldTokens: 0, periodConsumedTokens: 400 });

    const conversation = await api.request('GET', `/api/chat/conversations/${response.body.conversationId}`, { token: user.token });
    expect(conversation.status).toBe(200);
    expect(conversation.body).toMatchObject({ title: '안녕하세요', turnCount: 1, chargedTokens: 400 });
    expect(conversation.body.messages.map((message: { role: string }) => message.role)).toEqual(['user', 'assistant']);
    expect(conversation.body.messages[1].usage).toMatchObject({ chargedTokens: 400, freeTokens: 400, purchasedTokens: 0 });
    expect(await ledgerEntryOfReply(response.body.messageId)).toBe(entry!.id);
  });

  it('settles under the lock, once, when the account changed while the model answered', async () => {
    const user = await api.signUp();
    fake.next({ kind: 'reply', promptTokens: 40, completionTokens: 10, firstChunkDelayMs: 300 });
    const sending = api.request('POST', '/api/chat/send', { token: user.token, body: { message: '그사이에 충전' } });
    await waitFor(async () => (await balances(user.id)).heldTokens > 0);
    // A grant between the reservation and the settlement: the turn's compare-and-swap misses.
    await api.request('POST', `/api/admin/users/${user.id}/adjustments`, { token: admin.token, body: { tokens: 30, reason: 'mid-turn grant' } });
    const response = await sending;
    expect(response.status).toBe(200);
    expect(response.body.usage).toMatchObject({ chargedTokens: 50, purchasedTokens: 30, freeTokens: 20 });
    const entries = await consumptions(user.id);
    expect(entries).toHaveLength(1);
    expect(await ledgerEntryOfReply(response.body.messageId)).toBe(entries[0]!.id);
    expect(await balances(user.id)).toMatchObject({ heldTokens: 0, purchasedTokens: 0, periodConsumedTokens: 50 });
    const conversation = await api.request('GET', `/api/chat/conversations/${response.body.conversationId}`, { token: user.token });
    expect(conversation.body).toMatchObject({ turnCount: 1, chargedTokens: 50 });
    expect(conversation.body.messages).toHaveLength(2);
  });

  it('draws purchased tokens first and shows the split on the receipt', async () => {
    const user = await api.signUp();
    await api.request('POST', `/api/admin/users/${user.id}/adjustments`, { token: admin.token, body: { tokens: 30, reason: 'small grant' } });
    fake.next({ kind: 'reply', promptTokens: 40, completionTokens: 10 });
    const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '영수증' } });
    expect(response.body.usage).toMatchObject({ chargedTokens: 50, purchasedTokens: 30, freeTokens: 20 });
  });

  it('sends the conversation so far as context and keeps it apart from other users', async () => {
    const user = await api.signUp();
    const first = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '첫 질문입니다' } });
    const second = await api.request('POST', '/api/chat/send', {
      token: user.token,
      body: { message: '이어서 질문합니다', conversationId: first.body.conversationId },
    });
    expect(second.status).toBe(200);
    expect(second.body.conversationId).toBe(first.body.conversationId);
    const contents = fake.requests.at(-1)!.body.messages.map((message) => message.content);
    expect(contents.slice(1)).toEqual(['첫 질문입니다', first.body.content, '이어서 질문합니다']);

    const stranger = await api.signUp();
    const path = `/api/chat/conversations/${first.body.conversationId}`;
    expect((await api.request('GET', path, { token: stranger.token })).status).toBe(404);
    const hijack = await api.request('POST', '/api/chat/send', { token: stranger.token, body: { message: 'x', conversationId: first.body.conversationId } });
    expect(hijack.status).toBe(404);
    const list = await api.request('GET', '/api/chat/conversations', { token: user.token });
    expect(list.body).toMatchObject({ total: 1, items: [{ id: first.body.conversationId, turnCount: 2 }] });
    expect((await api.request('GET', '/api/chat/conversations', { token: stranger.token })).body.total).toBe(0);
  });

  it('applies a retried request with the same Idempotency-Key once', async () => {
    const user = await api.signUp();
    const send = () => api.request('POST', '/api/chat/send', { token: user.token, body: { message: '한 번만' }, headers: { 'idempotency-key': 'turn-1' } });
    const first = await send();
    const second = await send();
    expect(second.body).toEqual(first.body);
    expect(await consumptions(user.id)).toHaveLength(1);
    const other = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '다른 내용' }, headers: { 'idempotency-key': 'turn-1' } });
    expect(other.status).toBe(409);
  });

  it('falls back to tokenizer counts when the stream carries no usage', async () => {
    const user = await api.signUp();
    fake.next({ kind: 'reply', text: 'hello there friend', includeUsage: false });
    const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: 'hi' } });
    expect(response.status).toBe(200);
    expect(response.body.usage.estimated).toBe(true);
    expect(response.body.usage.completionTokens).toBe(3);
    expect(response.body.usage.chargedTokens).toBe(response.body.usage.promptTokens + 3);
  });

  it('retries once when the connection fails before any output', async () => {
    const user = await api.signUp();
    const before = fake.requests.length;
    fake.next({ kind: 'drop-connection' }, { kind: 'reply', text: 'second try' });
    const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: 'retry me' } });
    expect(response.status).toBe(200);
    expect(response.body.content).toBe('second try');
    expect(fake.requests.length - before).toBe(2);
  });
});

describe('provider failures are never charged', () => {
  it.each([
    ['HTTP 500', { kind: 'status', status: 500 } as const, 502, 'MODEL_PROVIDER_FAILED'],
    ['HTTP 429', { kind: 'status', status: 429 } as const, 502, 'MODEL_PROVIDER_FAILED'],
    ['a timeout before the headers', { kind: 'hang' } as const, 504, 'MODEL_TIMEOUT'],
    ['a timeout after the headers', { kind: 'reply', firstChunkDelayMs: 1_500 } as const, 504, 'MODEL_TIMEOUT'],
    ['a malformed stream', { kind: 'malformed' } as const, 502, 'MODEL_PROVIDER_FAILED'],
    ['a connection reset mid-stream', { kind: 'reset-mid-stream', afterChunks: 2 } as const, 502, 'MODEL_PROVIDER_FAILED'],
    ['a 200 that is not a stream', { kind: 'not-a-stream' } as const, 502, 'MODEL_PROVIDER_FAILED'],
    ['a stream that ends without its usage or [DONE]', { kind: 'ends-early', afterChunks: 2 } as const, 502, 'MODEL_PROVIDER_FAILED'],
  ])('%s: an error status, hold voided, nothing charged', async (_, behavior, status, code) => {
    const user = await api.signUp();
    fake.defaultBehavior = behavior;
    const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '실패해 보세요' } });
    expect(response.status).toBe(status);
    expect(response.body.code).toBe(code);
    expect(response.body.message).toContain('차감되지 않았습니다');
    expect(await consumptions(user.id)).toHaveLength(0);
    expect(await balances(user.id)).toMatchObject({ heldTokens: 0, periodConsumedTokens: 0 });
    expect(await appLedger(api.app).verify(user.id)).toEqual([]);
  });
});

describe('a provider that keeps the body open after [DONE]', () => {
  it('answers at once and charges the turn: the answer was whole', async () => {
    const user = await api.signUp();
    fake.next({ kind: 'reply', text: '끝까지 말했습니다', promptTokens: 10, completionTokens: 4, holdOpenAfterDoneMs: 4_000 });
    const started = performance.now();
    const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '다 말했나요?' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ content: '끝까지 말했습니다', usage: { chargedTokens: 14, estimated: false } });
    // Past the provider's idle timeout (800 ms here) but well before the body would end.
    expect(performance.now() - started).toBeLessThan(3_000);
    expect((await consumptions(user.id)).map((entry) => entry.amountTokens)).toEqual([14]);
  });
});

describe('POST /api/chat/stream', () => {
  it('streams deltas, then the usage with the charge, then done', async () => {
    const user = await api.signUp();
    fake.next({ kind: 'reply', text: 'one two three', promptTokens: 30, completionTokens: 3 });
    const response = await fetch(`${api.baseUrl}/api/chat/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'stream please' }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = await readSse(response);
    expect(events.map((event) => event.event)).toEqual(['start', 'delta', 'delta', 'delta', 'usage', 'done']);
    expect(events.filter((event) => event.event === 'delta').map((event) => event.data.text).join('')).toBe('one two three');
    expect(events[4]!.data).toMatchObject({ usage: { chargedTokens: 33, estimated: false }, level: 'NORMAL' });
    expect((await consumptions(user.id))[0]!.amountTokens).toBe(33);
  });

  it('replays a repeated Idempotency-Key as the same events without a second charge', async () => {
    const user = await api.signUp();
    const open = () =>
      fetch(`${api.baseUrl}/api/chat/stream`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json', 'idempotency-key': 'stream-1' },
        body: JSON.stringify({ message: 'once only' }),
      }).then((response) => readSse(response));
    const first = await open();
    const second = await open();
    expect(second.map((event) => event.event)).toEqual(['start', 'delta', 'usage', 'done']);
    expect(second[2]!.data.messageId).toBe(first.find((event) => event.event === 'usage')!.data.messageId);
    expect(await consumptions(user.id)).toHaveLength(1);
  });

  it('sends a provider failure as an error event and charges nothing', async () => {
    const user = await api.signUp();
    fake.next({ kind: 'reset-mid-stream', afterChunks: 1 });
    const response = await fetch(`${api.baseUrl}/api/chat/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json', 'accept-language': 'en' },
      body: JSON.stringify({ message: 'break' }),
    });
    const events = await readSse(response);
    expect(events.at(-1)).toEqual({ event: 'error', data: expect.objectContaining({ code: 'MODEL_PROVIDER_FAILED', message: expect.stringContaining('No tokens were charged') }) });
    expect(await consumptions(user.id)).toHaveLength(0);
    expect((await balances(user.id)).heldTokens).toBe(0);
  });

  it('charges what was generated when the client leaves mid-stream', async () => {
    const user = await api.signUp();
    fake.next({ kind: 'reply', text: Array.from({ length: 40 }, (_, index) => `word${index} `).join(''), chunkDelayMs: 25 });
    const controller = new AbortController();
    const response = await fetch(`${api.baseUrl}/api/chat/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'long answer' }),
      signal: controller.signal,
    });
    await readSse(response, (_, all) => all.filter((event) => event.event === 'delta').length >= 3).catch(() => undefined);
    controller.abort();
    await waitFor(async () => (await consumptions(user.id)).length === 1);
    const [entry] = await consumptions(user.id);
    expect(entry!.metadata).toMatchObject({ estimated: true });
    expect(entry!.amountTokens).toBeGreaterThan(0);
    expect((await balances(user.id)).heldTokens).toBe(0);
    const list = await api.request('GET', '/api/chat/conversations', { token: user.token });
    expect(list.body.total).toBe(1);
  });

  it('voids the hold when the client leaves before any output', async () => {
    const user = await api.signUp();
    fake.next({ kind: 'reply', firstChunkDelayMs: 400 });
    const controller = new AbortController();
    const pending = fetch(`${api.baseUrl}/api/chat/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'never mind' }),
      signal: controller.signal,
    }).then((response) => readSse(response));
    await waitFor(async () => (await balances(user.id)).heldTokens > 0);
    controller.abort();
    await pending.catch(() => undefined);
    await waitFor(async () => (await balances(user.id)).heldTokens === 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await consumptions(user.id)).toHaveLength(0);
  });
});

describe('the seed scenario', () => {
  it('warns at 90 %, is critical at 96 % and refuses at 105 % before calling the model', async () => {
    const user = await api.signUp();
    await setUsage(user.id, 90);
    const warning = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '안녕하세요' } });
    expect(warning.status).toBe(200);
    expect(warning.body.content.length).toBeGreaterThan(0);
    expect(warning.body.warning).toMatchObject({ level: 'WARNING', purchaseUrl: '/purchase' });
    expect(Math.abs(warning.body.warning.remainingTokens - 10_000)).toBeLessThan(200);
    expect(Number.isInteger(warning.body.warning.estimatedTurns)).toBe(true);
    expect(warning.body.warning.message).toMatch(/^토큰이 약 10% 남았습니다/);

    await setUsage(user.id, 96);
    const critical = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '안녕하세요' } });
    expect(critical.body.warning.level).toBe('CRITICAL');

    await setUsage(user.id, 105);
    const calls = fake.requests.length;
    const blocked = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '안녕하세요' } });
    expect(blocked.status).toBe(402);
    expect(blocked.body).toMatchObject({ code: 'TOKEN_EXHAUSTED', remainingTokens: 0, usagePercent: 105, recommendedAction: 'PURCHASE_TOKENS', purchaseUrl: '/purchase' });
    expect(fake.requests.length).toBe(calls);
  });

  it('caps the completion sent to the model so the turn cannot end past 105 %', async () => {
    const user = await api.signUp();
    await setUsage(user.id, 104.9);
    fake.defaultBehavior = { kind: 'reply', promptTokens: 1 };
    const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '짧게' } });
    expect(response.status).toBe(200);
    const maxTokens = fake.requests.at(-1)!.body.max_tokens!;
    expect(maxTokens).toBeLessThan(100);
    expect(maxTokens).toBeGreaterThanOrEqual(16);
  });
});

describe('a provider that counts more tokens than our tokenizer', () => {
  it('charges a stream that outlived its hold only up to 105 % once other turns took the room', async () => {
    const user = await api.signUp();
    // 1,000 tokens of room under 105 %: the slow turn holds it all.
    await setUsage(user.id, 104);
    fake.next({ kind: 'reply', text: 'a slow answer that takes its time', promptTokens: 100, completionTokens: 3_000, firstChunkDelayMs: 400 });
    const slow = api.request('POST', '/api/chat/send', { token: user.token, body: { message: 'slow' } });
    await waitFor(async () => (await balances(user.id)).heldTokens > 0);
    // The hold's TTL passes while the model still answers: the sweeper releases it, and a quick
    // turn takes the room.
    api.clock.advance(api.config.holdTtlSeconds * 1_000 + 1);
    expect(await appLedger(api.app).expireHolds()).toBeGreaterThanOrEqual(1);
    fake.next({ kind: 'reply', promptTokens: 100, completionTokens: 900 });
    expect((await api.request('POST', '/api/chat/send', { token: user.token, body: { message: 'quick' } })).status).toBe(200);
    const response = await slow;
    expect(response.status).toBe(200);
    // The quick turn used the whole room: the slow one, charged up to 105 %, is written off.
    const after = await balances(user.id);
    expect(after).toMatchObject({ heldTokens: 0, periodConsumedTokens: (after.periodCapacityTokens * 105) / 100 });
    expect(response.body.usage.chargedTokens).toBe(0);
    const [late] = (await consumptions(user.id)).filter((entry) => entry.amountTokens === 0);
    expect(late?.metadata).toMatchObject({ writtenOffTokens: expect.any(Number) });
    expect(await appLedger(api.app).verify(user.id)).toEqual([]);
  });

  it('is charged at most the hold, so the user never passes 105 %', async () => {
    const user = await api.signUp();
    await setUsage(user.id, 104.8);
    fake.next({ kind: 'reply', text: 'x', promptTokens: 5_000, completionTokens: 10 });
    const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '한국어는 토큰이 많아요' } });
    expect(response.status).toBe(200);
    expect(response.body.usage.chargedTokens).toBeLessThanOrEqual(200);
    expect((await balances(user.id)).periodConsumedTokens).toBeLessThanOrEqual(105_000);
    const [entry] = await consumptions(user.id);
    expect(entry!.metadata).toMatchObject({ reportedChargeTokens: 5_010 });
  });
});

describe('100 parallel sends by one user starting at 103 %', () => {
  it('end at or below 105.000 %, with every accepted turn charged once', async () => {
    const user = await api.signUp();
    await setUsage(user.id, 103);
    fake.defaultBehavior = { kind: 'reply', text: 'a b c d e f g h' };
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, index) => api.request('POST', '/api/chat/send', { token: user.token, body: { message: `병렬 ${index}` } })),
    );
    const accepted = responses.filter((response) => response.status === 200);
    expect(responses.every((response) => response.status === 200 || response.status === 402)).toBe(true);
    expect(accepted.length).toBeGreaterThan(0);
    const state = await balances(user.id);
    // Holds never jointly pass the hard limit and a charge never passes its hold: 105 % exactly.
    expect(state.periodConsumedTokens).toBeLessThanOrEqual(105_000);
    expect(state.heldTokens).toBe(0);
    expect(await consumptions(user.id)).toHaveLength(accepted.length);
    const charged = accepted.reduce((sum, response) => sum + response.body.usage.chargedTokens, 0);
    expect(state.periodConsumedTokens).toBe(103_000 + charged);
    expect(await appLedger(api.app).verify(user.id)).toEqual([]);
  });
});

describe('bad input', () => {
  it.each([
    ['an empty message', { message: '' }],
    ['a blank message', { message: '   ' }],
    ['8,001 characters', { message: 'a'.repeat(8_001) }],
    ['a number for the message', { message: 42 }],
    ['an unknown model', { message: 'hi', model: 'gpt-99' }],
    ['a malformed conversation id', { message: 'hi', conversationId: 'abc' }],
    ['an unknown field', { message: 'hi', userId: '00000000-0000-4000-8000-000000000000' }],
  ])('%s → 400 and no charge', async (_, body) => {
    const user = await api.signUp();
    const response = await api.request('POST', '/api/chat/send', { token: user.token, body });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(await balances(user.id)).toMatchObject({ heldTokens: 0, periodConsumedTokens: 0 });
  });

  it('accepts exactly 8,000 characters', async () => {
    const user = await api.signUp();
    const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '가'.repeat(8_000) } });
    expect(response.status).toBe(200);
  });

  it('malformed JSON → 400, and the server stays healthy', async () => {
    const user = await api.signUp();
    const response = await api.request('POST', '/api/chat/send', { token: user.token, rawBody: '{"message": "hi"' });
    expect(response.status).toBe(400);
    expect((await api.request('GET', '/health')).body.status).toBe('ok');
  });
});

describe('POST /api/chat/estimate', () => {
  it('previews the charge without calling the model or holding tokens', async () => {
    const user = await api.signUp();
    const calls = fake.requests.length;
    const response = await api.request('POST', '/api/chat/estimate', { token: user.token, body: { message: '요금이 궁금해요', model: 'consult-pro' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ model: 'consult-pro', maxCompletionTokens: 2_048, allowed: true, remainingTokens: 100_000 });
    expect(response.body.maxChargeTokens).toBe(response.body.promptTokens * 2 + 2_048 * 4);
    expect(response.body.shareOfRemainingPercent).toBeGreaterThan(0);
    expect(fake.requests.length).toBe(calls);
    expect((await balances(user.id)).heldTokens).toBe(0);
  });
});
