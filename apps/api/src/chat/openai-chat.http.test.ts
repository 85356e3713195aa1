import { and, eq, sql } from 'drizzle-orm';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAiServer } from '../../testing/fake-openai-server.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';
import { apiKeys, conversations, ledgerEntries, tokenHolds } from '../database/schema.js';

// POST /v1/chat/completions driven by the official `openai` SDK: the same metered turn as the web
// app's, in OpenAI's shapes; a key's budget is one more level of the reservation, never passed
// under concurrency; its turns a minute and turns in flight answer 429 with retry-after.
let fake: FakeOpenAiServer;
let api: TestApp;

beforeAll(async () => {
  fake = await new FakeOpenAiServer().start();
  api = await createTestApp({ OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.url });
});
afterAll(async () => {
  await api?.close();
  await fake?.close();
});

type User = { id: string; token: string };
async function newKey(user: User, body: object = {}, organizationId?: string): Promise<{ key: string; id: string }> {
  const created = await api.request('POST', organizationId ? `/api/organizations/${organizationId}/api-keys` : '/api/api-keys', { token: user.token, body: { name: 'bot', ...body } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { key: string; id: string };
}
const sdk = (key: string, options: { maxRetries?: number; baseUrl?: string } = {}) =>
  new OpenAI({ apiKey: key, baseURL: `${options.baseUrl ?? api.baseUrl}/v1`, maxRetries: options.maxRetries ?? 0 });
const question = [
  { role: 'system' as const, content: '짧게 답하세요.' },
  { role: 'user' as const, content: '회사 복지 제도에 대해 상담하고 싶어요.' },
];

/** The key's entries in the ledger, and its usage columns: the two must agree. */
async function keyBooks(keyId: string) {
  const [entries] = await api.database.db
    .select({
      consumed: sql<string>`coalesce(sum(${ledgerEntries.consumedDelta}), 0)`,
      held: sql<string>`coalesce(sum(${ledgerEntries.heldDelta}), 0)`,
      count: sql<string>`count(*)`,
    })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.apiKeyId, keyId));
  const [key] = await api.database.db.select().from(apiKeys).where(eq(apiKeys.id, keyId));
  return { ledgerConsumed: Number(entries!.consumed), ledgerHeld: Number(entries!.held), entries: Number(entries!.count), key: key! };
}

describe('POST /v1/chat/completions', () => {
  it('answers a chat.completion with usage, charges the key’s owner with entries naming the key, keeps no conversation by default', async () => {
    const user = await api.signUp('v1-basic');
    const { key, id } = await newKey(user);
    fake.next({ kind: 'reply', text: '복지 제도는 회사마다 다릅니다.', promptTokens: 40, completionTokens: 12 });
    const { data, response } = await sdk(key).chat.completions.create({ model: 'consult-basic', messages: question, max_tokens: 200, temperature: 0.3, user: 'end-user-7', stop: ['끝.'] }).withResponse();
    expect(data).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      model: 'consult-basic',
      choices: [{ index: 0, message: { role: 'assistant', content: '복지 제도는 회사마다 다릅니다.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
    });
    expect(response.headers.get('x-consult-on-usage-level')).toBe('NORMAL');
    // The client's system message and its question reach the model after ours, with its cap and temperature.
    const sent = fake.requests.at(-1)!.body as { messages: { role: string; content: string }[]; max_tokens: number; temperature?: number; stop?: string[] };
    expect(sent.messages.slice(1)).toEqual(question);
    expect(sent.messages[0]!.role).toBe('system');
    expect(sent.max_tokens).toBeLessThanOrEqual(200);
    expect(sent.temperature).toBe(0.3);
    expect(sent.stop).toEqual(['끝.']);

    const books = await keyBooks(id);
    expect(books.ledgerConsumed).toBeGreaterThan(0);
    expect(books.key.consumedTokens).toBe(books.ledgerConsumed);
    expect(books.key.heldTokens).toBe(0);
    expect(books.key.openHolds).toBe(0);
    const [consumption] = await api.database.db.select().from(ledgerEntries).where(and(eq(ledgerEntries.apiKeyId, id), eq(ledgerEntries.kind, 'CONSUMPTION')));
    expect(consumption).toMatchObject({ userId: user.id, metadata: expect.objectContaining({ model: 'consult-basic', endUser: 'end-user-7' }) });
    expect(consumption!.metadata).not.toHaveProperty('conversationId');
    expect(await api.database.db.select().from(conversations).where(eq(conversations.userId, user.id))).toEqual([]);
    const listed = (await api.request('GET', '/api/api-keys', { token: user.token })).body[0];
    expect(listed.usage).toMatchObject({ consumedTokens: books.ledgerConsumed, heldTokens: 0, remainingTokens: null });
    const perDay = await api.request('GET', `/api/api-keys/${id}/usage`, { token: user.token });
    expect(perDay.status, JSON.stringify(perDay.body)).toBe(200);
    expect(perDay.body.days).toHaveLength(30);
    expect(perDay.body.days.at(-1)).toEqual({ day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), tokens: books.ledgerConsumed, turns: 1 });
    expect(perDay.body.days.slice(0, -1).every((day: { tokens: number }) => day.tokens === 0)).toBe(true);
  });

  it('streams chat.completion.chunk events with the usage last and [DONE]; text parts are read as text', async () => {
    const user = await api.signUp('v1-stream');
    const { key } = await newKey(user);
    fake.next({ kind: 'reply', text: '첫째, 둘째, 셋째.', promptTokens: 30, completionTokens: 3 });
    const stream = await sdk(key).chat.completions.create({
      model: 'consult-basic',
      messages: [{ role: 'user', content: [{ type: 'text', text: '세 가지만 ' }, { type: 'text', text: '알려 주세요.' }] }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('첫째, 둘째, 셋째.');
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id === chunks[0]!.id)).toBe(true);
    expect(chunks.at(-2)!.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 30, completion_tokens: 3, total_tokens: 33 } });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(fake.requests.at(-1)!.body.messages.at(-1)).toEqual({ role: 'user', content: '세 가지만 알려 주세요.' });

    // Over fetch, the raw stream: data lines only, ending with [DONE].
    const raw = await fetch(`${api.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'consult-basic', messages: question, stream: true }),
    });
    expect(raw.headers.get('content-type')).toContain('text/event-stream');
    expect(raw.headers.get('x-consult-on-usage-level')).toBe('NORMAL');
    const text = await raw.text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).not.toContain('"usage":');
  });

  it('keeps the turn as a conversation of the key’s creator when the key says so', async () => {
    const user = await api.signUp('v1-keep');
    const { key } = await newKey(user, { keepConversations: true });
    await sdk(key).chat.completions.create({ model: 'consult-basic', messages: question });
    const kept = await api.request('GET', '/api/chat/conversations', { token: user.token });
    expect(kept.body.items).toHaveLength(1);
    const conversation = await api.request('GET', `/api/chat/conversations/${kept.body.items[0].id}`, { token: user.token });
    expect(conversation.body.messages.map((message: { role: string }) => message.role)).toEqual(['user', 'assistant']);
  });

  it('maps refusals to the SDK’s own error classes: 400 bad request, 404 model_not_found, 401', async () => {
    const user = await api.signUp('v1-errors');
    const { key } = await newKey(user, { models: ['consult-basic'] });
    const client = sdk(key);
    const bad = client.chat.completions.create({ model: 'consult-basic', messages: [{ role: 'assistant', content: '먼저 말하기' }] });
    await expect(bad).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(bad).rejects.toMatchObject({ status: 400, type: 'invalid_request_error', param: 'messages[0].role' });
    await expect(client.chat.completions.create({ model: 'no-such-model', messages: question })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    const other = (await api.request('GET', '/api/chat/models', { token: user.token })).body.find((model: { id: string }) => model.id !== 'consult-basic');
    if (other) {
      const refused = client.chat.completions.create({ model: other.id, messages: question });
      await expect(refused).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      expect((await client.models.list()).data.map((model) => model.id)).toEqual(['consult-basic']);
      await expect(client.models.retrieve(other.id)).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    }
    expect(await client.models.retrieve('consult-basic')).toMatchObject({ id: 'consult-basic', object: 'model' });
    await expect(sdk(`${key.slice(0, -2)}xx`).chat.completions.create({ model: 'consult-basic', messages: question })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    // Hostile values: refused before any turn, in the envelope.
    for (const body of [
      { model: 'consult-basic', messages: [{ role: 'user', content: 'a\u0000b' }] },
      { model: 'consult-basic', messages: [{ role: 'user', content: '\ud800' }] },
      { model: 'consult-basic', messages: question, max_tokens: 1e23 },
      { model: 'consult-basic', messages: question, temperature: 1e23 },
      { model: 'consult-basic', messages: question, n: 2 },
      { model: 'consult-basic', messages: question, tools: [{ type: 'function', function: { name: 'x' } }] },
      { model: 'consult-basic', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x' } }] }] },
      { model: 'consult-basic', messages: Array.from({ length: 300 }, () => ({ role: 'user', content: 'a' })) },
      { model: 'consult-basic', messages: 'hello' },
      { model: ['consult-basic'], messages: question },
    ]) {
      const response = await fetch(`${api.baseUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.any(String) } });
    }
  });

  it('holds a key’s budget under concurrency: never passed, refused as insufficient_quota (not retried), books equal to the ledger', async () => {
    const user = await api.signUp('v1-budget');
    const budget = 2_000;
    const { key, id } = await newKey(user, { monthlyBudgetTokens: budget });
    fake.defaultBehavior = { kind: 'reply', text: '한 '.repeat(40), promptTokens: 60, completionTokens: 40, chunkDelayMs: 2 };
    const before = fake.requests.length;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 24 }, () => sdk(key, { maxRetries: 2 }).chat.completions.create({ model: 'consult-basic', messages: question, max_tokens: 60 })),
    );
    fake.defaultBehavior = { kind: 'reply' };
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => (outcome as PromiseRejectedResult).reason);
    expect(outcomes.some((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) {
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error).toMatchObject({ status: 429, code: 'insufficient_quota', error: expect.objectContaining({ limit: 'api_key' }) });
    }
    // `x-should-retry: false`: the SDK did not ask again (one model call per turn that ran).
    expect(fake.requests.length - before).toBe(outcomes.length - refused.length);
    const books = await keyBooks(id);
    expect(books.ledgerConsumed).toBeLessThanOrEqual(budget);
    expect(books.key).toMatchObject({ consumedTokens: books.ledgerConsumed, heldTokens: 0, openHolds: 0 });
    expect(books.ledgerHeld).toBe(0);
    const open = await api.database.db.select().from(tokenHolds).where(and(eq(tokenHolds.apiKeyId, id), eq(tokenHolds.status, 'OPEN')));
    expect(open).toEqual([]);
    const listed = (await api.request('GET', '/api/api-keys', { token: user.token })).body[0];
    expect(listed.usage.remainingTokens).toBe(budget - books.ledgerConsumed);
    // The admin's check of the books agrees.
    const admin = await api.signUpAdmin();
    const verified = await api.request('GET', '/api/admin/ledger/verify', { token: admin.token });
    expect(verified.body.apiKeys).toEqual([]);

    // Raised: the key works again at once on this instance.
    expect((await api.request('PATCH', `/api/api-keys/${id}`, { token: user.token, body: { monthlyBudgetTokens: budget * 10 } })).status).toBe(200);
    await sdk(key).chat.completions.create({ model: 'consult-basic', messages: question, max_tokens: 60 });
  });

  it('answers a key’s turns in flight past its cap with 429 rate_limit_exceeded and retry-after, which the SDK honours', async () => {
    const user = await api.signUp('v1-concurrent');
    const { key } = await newKey(user, { concurrentTurns: 1 });
    fake.next({ kind: 'reply', text: '천천히 답합니다.', chunkDelayMs: 300 });
    const slow = sdk(key).chat.completions.create({ model: 'consult-basic', messages: question });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const raw = await fetch(`${api.baseUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'consult-basic', messages: question }) });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(await raw.json()).toMatchObject({ error: { code: 'rate_limit_exceeded', type: 'requests' } });
    // With retries, the SDK waits as told and gets through once the first turn ended.
    const started = Date.now();
    const retried = await sdk(key, { maxRetries: 3 }).chat.completions.create({ model: 'consult-basic', messages: question });
    expect(retried.choices[0]!.message.content).toBeTruthy();
    await slow;
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('counts a key’s turns a minute: past its limit, 429 with retry-after', async () => {
    const user = await api.signUp('v1-rate');
    const { key } = await newKey(user, { turnsPerMinute: 2 });
    await sdk(key).chat.completions.create({ model: 'consult-basic', messages: question });
    await sdk(key).chat.completions.create({ model: 'consult-basic', messages: question });
    const third = sdk(key).chat.completions.create({ model: 'consult-basic', messages: question });
    await expect(third).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(third).rejects.toMatchObject({ code: 'rate_limit_exceeded', headers: expect.anything() });
    const raw = await fetch(`${api.baseUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'consult-basic', messages: question }) });
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('charges an organization’s key to the pool and its maker’s limit in it, entries naming both', async () => {
    const owner = await api.signUp('v1-org-owner');
    const organizationId = await api.createOrganization(owner);
    const { key, id } = await newKey(owner, { monthlyBudgetTokens: 50_000 }, organizationId);
    await sdk(key).chat.completions.create({ model: 'consult-basic', messages: question });
    const entries = await api.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.apiKeyId, id));
    expect(entries.map((entry) => entry.kind).sort()).toEqual(['CONSUMPTION', 'HOLD']);
    expect(entries.every((entry) => entry.userId === organizationId && entry.memberId === owner.id)).toBe(true);
    const books = await keyBooks(id);
    expect(books.key).toMatchObject({ consumedTokens: books.ledgerConsumed, heldTokens: 0, openHolds: 0 });
    // Without a budget: the pool's batches, the same books.
    const second = await newKey(owner, {}, organizationId);
    await Promise.all(Array.from({ length: 5 }, () => sdk(second.key).chat.completions.create({ model: 'consult-basic', messages: question })));
    const secondBooks = await keyBooks(second.id);
    expect(secondBooks.ledgerConsumed).toBeGreaterThan(0);
    expect(secondBooks.key).toMatchObject({ consumedTokens: secondBooks.ledgerConsumed, heldTokens: 0, openHolds: 0 });

    // A budget set while its turns are in flight (begun without one, with the pool's batches): settled on the key's row, books still equal.
    fake.next(...Array.from({ length: 3 }, () => ({ kind: 'reply' as const, text: '천천히 답합니다. '.repeat(3), chunkDelayMs: 100 })));
    const inFlight = Array.from({ length: 3 }, () => sdk(second.key).chat.completions.create({ model: 'consult-basic', messages: question, stream: true }).then(async (stream) => {
      for await (const _chunk of stream) void _chunk;
    }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await api.request('PATCH', `/api/api-keys/${second.id}`, { token: owner.token, body: { monthlyBudgetTokens: 1_000_000, concurrentTurns: 5 } })).status).toBe(200);
    await Promise.all(inFlight);
    const afterBooks = await keyBooks(second.id);
    expect(afterBooks.key).toMatchObject({ consumedTokens: afterBooks.ledgerConsumed, heldTokens: 0, openHolds: 0 });
    expect(afterBooks.ledgerConsumed).toBeGreaterThan(secondBooks.ledgerConsumed);
    const admin = await api.signUpAdmin();
    const verified = await api.request('GET', '/api/admin/ledger/verify', { token: admin.token });
    expect(verified.body).toMatchObject({ apiKeys: [], members: [] });
  });

  it('a key revoked on one instance is refused on another within a second (each reads a key at most once a second)', async () => {
    const second = await createTestApp({ OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.url }, undefined, api.database);
    try {
      const user = await api.signUp('v1-two-instances');
      const { key, id } = await newKey(user);
      const onSecond = sdk(key, { baseUrl: second.baseUrl });
      await onSecond.models.list();
      expect((await api.request('DELETE', `/api/api-keys/${id}`, { token: user.token })).status).toBe(200);
      await expect(sdk(key).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      const revokedAt = Date.now();
      let refused = false;
      while (!refused && Date.now() - revokedAt < 3_000) {
        refused = await onSecond.models.list().then(
          () => false,
          (error: unknown) => error instanceof OpenAI.AuthenticationError,
        );
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(refused).toBe(true);
      expect(Date.now() - revokedAt).toBeLessThanOrEqual(1_100);
    } finally {
      await second.close();
    }
  });
});

describe('the per-client rate limit on /v1', () => {
  it('counts per API key, not per address: two keys behind one address each have the whole limit', async () => {
    const limited = await createTestApp({ OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.url, RATE_LIMIT_PER_MINUTE: '6' }, undefined, api.database);
    try {
      const user = await api.signUp('v1-per-key-limit');
      const first = await newKey(user);
      const second = await newKey(user);
      const models = (key: string) => fetch(`${limited.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).then((response) => response.status);
      const statuses: number[] = [];
      for (let index = 0; index < 9; index += 1) statuses.push(await models(first.key));
      // The first request counts on the address (this instance had not read the key yet), the next six on the key.
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 429, 429]);
      expect(await models(second.key)).toBe(200);
      expect(await models(second.key)).toBe(200);
      // The prefix is no secret (lists and logs show it): with a wrong secret, requests count on their address, not on the key.
      const third = await newKey(user);
      expect(await models(third.key)).toBe(200);
      const forged = `${third.key.slice(0, 20)}${'A'.repeat(43)}`;
      const forgedStatuses: number[] = [];
      for (let index = 0; index < 8; index += 1) forgedStatuses.push(await models(forged));
      expect(forgedStatuses.filter((status) => status === 401).length).toBeGreaterThan(0);
      expect(forgedStatuses.every((status) => status === 401 || status === 429)).toBe(true);
      for (let index = 0; index < 5; index += 1) expect(await models(third.key)).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
