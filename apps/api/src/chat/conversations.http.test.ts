import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { conversations, ledgerEntries, messages } from '../database/schema.js';
import { FakeOpenAiServer } from '../../testing/fake-openai-server.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

let fake: FakeOpenAiServer;
let api: TestApp;
let admin: { id: string; token: string };

beforeAll(async () => {
  fake = await new FakeOpenAiServer().start();
  // A small context cap, so that a few turns reach it.
  api = await createTestApp({ OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.url, OPENAI_TIMEOUT_MS: '800', CHAT_CONTEXT_MAX_TOKENS: '60' });
  admin = await api.signUpAdmin();
});
afterAll(async () => {
  await api?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.defaultBehavior = { kind: 'reply' };
});

type User = { id: string; token: string };

async function turn(user: User, message: string, conversationId?: string): Promise<{ conversationId: string; messageId: number }> {
  const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message, ...(conversationId ? { conversationId } : {}) } });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

function list(user: User, query = '') {
  return api.request('GET', `/api/chat/conversations${query}`, { token: user.token });
}

function search(user: User, q: string) {
  return list(user, `?q=${encodeURIComponent(q)}`);
}

describe('titles', () => {
  it('titles a conversation from its first question, and keeps it over later turns', async () => {
    const user = await api.signUp();
    const { conversationId } = await turn(user, '\n## 연봉 협상을 어떻게 시작해야 할지 모르겠어요. 회사에 다닌 지 3년이 되었고 처음으로 협상을 해 보려고 합니다\n자세히는…');
    await turn(user, '다른 질문', conversationId);
    const conversation = await api.request('GET', `/api/chat/conversations/${conversationId}`, { token: user.token });
    expect(conversation.body.title).toBe('연봉 협상을 어떻게 시작해야 할지 모르겠어요. 회사에 다닌 지 3년이…');
    expect(conversation.body.turnCount).toBe(2);
  });
});

describe('PATCH /api/chat/conversations/:id', () => {
  it('renames the own conversation (trimmed, one space between words), and later turns keep the name', async () => {
    const user = await api.signUp();
    const { conversationId } = await turn(user, '첫 질문');
    const renamed = await api.request('PATCH', `/api/chat/conversations/${conversationId}`, { token: user.token, body: { title: '  이직\n  상담  ' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: conversationId, title: '이직 상담', turnCount: 1 });
    await turn(user, '두 번째 질문', conversationId);
    expect((await list(user)).body.items[0]).toMatchObject({ id: conversationId, title: '이직 상담', turnCount: 2 });
    const longest = 'ㄱ'.repeat(99) + '😀';
    const atLimit = await api.request('PATCH', `/api/chat/conversations/${conversationId}`, { token: user.token, body: { title: longest } });
    expect(atLimit.status).toBe(200);
    expect(atLimit.body.title).toBe(longest);
  });

  it('refuses a blank, too long, unstorable or malformed title with 400 and keeps the old one', async () => {
    const user = await api.signUp();
    const { conversationId } = await turn(user, '제목 지키기');
    const path = `/api/chat/conversations/${conversationId}`;
    for (const body of [{ title: '' }, { title: '   \n\t ' }, { title: 'x'.repeat(101) }, { title: 'a\u0000b' }, { title: 'x\ud800y' }, { title: '\udfff' }, { title: 42 }, { title: null }, { title: ['a'] }, {}, { title: 'ok', extra: 1 }]) {
      const response = await api.request('PATCH', path, { token: user.token, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    const megabyte = await api.request('PATCH', path, { token: user.token, body: { title: '가'.repeat(1_000_000) } });
    expect(megabyte.status).toBe(413);
    expect(megabyte.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await api.request('GET', path, { token: user.token })).body.title).toBe('제목 지키기');
  });

  it('is 404 for another user’s conversation, an unknown id or a malformed id, and changes nothing', async () => {
    const owner = await api.signUp();
    const stranger = await api.signUp();
    const { conversationId } = await turn(owner, '남의 대화');
    for (const id of [conversationId, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const response = await api.request('PATCH', `/api/chat/conversations/${id}`, { token: stranger.token, body: { title: '탈취' } });
      expect(response.status, id).toBe(404);
    }
    // An id with NUL is refused by the input guard before any route.
    expect((await api.request('PATCH', '/api/chat/conversations/%00', { token: stranger.token, body: { title: '탈취' } })).status).toBe(400);
    expect((await api.request('PATCH', `/api/chat/conversations/${conversationId}`, { token: admin.token, body: { title: '관리자' } })).status).toBe(404);
    expect((await api.request('PATCH', `/api/chat/conversations/${conversationId}`, { body: { title: '익명' } })).status).toBe(401);
    expect((await api.request('GET', `/api/chat/conversations/${conversationId}`, { token: owner.token })).body.title).toBe('남의 대화');
  });
});

describe('DELETE /api/chat/conversations/:id', () => {
  it('deletes the conversation and its messages; the ledger keeps its entries and stays balanced', async () => {
    const user = await api.signUp();
    fake.next({ kind: 'reply', promptTokens: 40, completionTokens: 10 }, { kind: 'reply', promptTokens: 60, completionTokens: 10 });
    const { conversationId } = await turn(user, '지울 대화');
    await turn(user, '지울 대화 2', conversationId);
    const kept = await turn(user, '남길 대화');
    const before = await api.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.userId, user.id));
    const usageBefore = (await api.request('GET', '/api/ai-usage', { token: user.token })).body;
    const history = (await api.request('GET', '/api/ai-usage/history?limit=100', { token: user.token })).body.items as { kind: string; conversationId: string | null }[];
    expect(history.filter((entry) => entry.kind === 'CONSUMPTION').map((entry) => entry.conversationId)).toEqual([kept.conversationId, conversationId, conversationId]);

    const deleted = await api.request('DELETE', `/api/chat/conversations/${conversationId}`, { token: user.token });
    expect(deleted.status).toBe(204);
    expect((await api.request('GET', `/api/chat/conversations/${conversationId}`, { token: user.token })).status).toBe(404);
    expect(await api.database.db.select().from(messages).where(eq(messages.conversationId, conversationId))).toEqual([]);
    expect((await list(user)).body).toMatchObject({ total: 1, items: [{ id: kept.conversationId }] });
    // The ledger is untouched: the same entries with the same amounts, the same balances.
    const after = await api.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.userId, user.id));
    expect(after).toEqual(before);
    const usageAfter = (await api.request('GET', '/api/ai-usage', { token: user.token })).body;
    expect(usageAfter).toMatchObject({ usedTokens: usageBefore.usedTokens, remainingTokens: usageBefore.remainingTokens, freeTokens: usageBefore.freeTokens });
    // The history keeps the usage, no longer linked to a conversation that is gone.
    const historyAfter = (await api.request('GET', '/api/ai-usage/history?limit=100', { token: user.token })).body.items as { kind: string; amountTokens: number; conversationId: string | null }[];
    expect(historyAfter.filter((entry) => entry.kind === 'CONSUMPTION').map((entry) => entry.conversationId)).toEqual([kept.conversationId, null, null]);
    const verify = await api.request('GET', '/api/admin/ledger/verify', { token: admin.token });
    expect(verify.body).toMatchObject({ ok: true, accounts: [] });
    // A turn sent to the deleted conversation is refused without a charge.
    const orphan = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '이어서', conversationId } });
    expect(orphan.status).toBe(404);
    expect(await api.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.userId, user.id))).toHaveLength(after.length);
    // Deleting again: there is nothing left.
    expect((await api.request('DELETE', `/api/chat/conversations/${conversationId}`, { token: user.token })).status).toBe(404);
  });

  it('is 404 for another user’s conversation, admins included, and deletes nothing', async () => {
    const owner = await api.signUp();
    const stranger = await api.signUp();
    const { conversationId } = await turn(owner, '지켜야 할 대화');
    for (const token of [stranger.token, admin.token]) {
      expect((await api.request('DELETE', `/api/chat/conversations/${conversationId}`, { token })).status).toBe(404);
    }
    for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      expect((await api.request('DELETE', `/api/chat/conversations/${id}`, { token: owner.token })).status).toBe(404);
    }
    expect((await api.request('DELETE', `/api/chat/conversations/${conversationId}`)).status).toBe(401);
    const [row] = await api.database.db.select().from(conversations).where(and(eq(conversations.id, conversationId), eq(conversations.userId, owner.id)));
    expect(row).toBeDefined();
    expect(await api.database.db.select().from(messages).where(eq(messages.conversationId, conversationId))).toHaveLength(2);
  });
});

describe('GET /api/chat/conversations?q=', () => {
  it('finds conversations by title and by message content, case-insensitively, only the user’s own', async () => {
    const user = await api.signUp();
    const other = await api.signUp();
    fake.next({ kind: 'reply', text: '면접 준비는 STAR 기법으로 하세요.' });
    const interview = await turn(user, '면접이 걱정돼요');
    const salary = await turn(user, 'Salary Negotiation 질문');
    await turn(other, '면접이 걱정돼요');

    expect((await search(user, '면접')).body).toMatchObject({ total: 1, items: [{ id: interview.conversationId }] });
    // In an answer only.
    expect((await search(user, 'star 기법')).body.items.map((c: { id: string }) => c.id)).toEqual([interview.conversationId]);
    expect((await search(user, 'salary negotiation')).body.items.map((c: { id: string }) => c.id)).toEqual([salary.conversationId]);
    expect((await search(user, '없는 단어')).body).toEqual({ items: [], total: 0 });
    // Blank: the whole list.
    expect((await search(user, '   ')).body.total).toBe(2);
    // Paged like the list.
    expect((await list(user, `?q=${encodeURIComponent('질문')}&limit=1`)).body).toMatchObject({ total: 1, items: [{ id: salary.conversationId }] });
  });

  it('matches % , _ and \\ literally', async () => {
    const user = await api.signUp();
    const percent = await turn(user, '수익률 100% 달성');
    const underscore = await turn(user, 'file_name 규칙');
    const backslash = await turn(user, 'C:\\temp 경로');
    await turn(user, '평범한 대화 filexname');
    const ids = async (q: string) => ((await search(user, q)).body.items as { id: string }[]).map((c) => c.id);
    expect(await ids('%')).toEqual([percent.conversationId]);
    expect(await ids('100%')).toEqual([percent.conversationId]);
    expect(await ids('_')).toEqual([underscore.conversationId]);
    expect(await ids('file_name')).toEqual([underscore.conversationId]);
    expect(await ids('\\')).toEqual([backslash.conversationId]);
    expect(await ids('%%')).toEqual([]);
    expect(await ids('\\%')).toEqual([]);
  });

  it('refuses a query over 100 characters, with NUL, or given twice or as an object', async () => {
    const user = await api.signUp();
    expect((await search(user, 'ㄱ'.repeat(100))).status).toBe(200);
    for (const query of [`?q=${'a'.repeat(101)}`, '?q=a%00b', '?q=%00', '?q=a&q=b', '?q[x]=a']) {
      const response = await list(user, query);
      expect(response.status, query).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await list(user, `?q=${'a'.repeat(10_000)}`)).status).toBe(400);
    // A surrogate encoded in UTF-8 (not UTF-8 at all) is not decoded: it is searched for as the text it is.
    for (const query of ['?q=%ED%A0%80', '?q=x%ED%B0%80y', '?q=%F0%9F']) {
      const response = await list(user, query);
      expect(response.status, query).toBe(200);
      expect(response.body).toEqual({ items: [], total: 0 });
    }
  });
});

describe('context cap (CHAT_CONTEXT_MAX_TOKENS)', () => {
  const long = '상담 내용이 길어지는 대화입니다 '.repeat(3);

  it('sends only the newest whole turns that fit, with the system prompt, and says so in the estimate', async () => {
    const user = await api.signUp();
    fake.next({ kind: 'reply', text: '짧은 답 ' });
    const first = await turn(user, '첫 질문');
    const fresh = await api.request('POST', '/api/chat/estimate', { token: user.token, body: { message: '두 번째', conversationId: first.conversationId } });
    expect(fresh.body).toMatchObject({ contextTruncated: false, suggestNewConversation: false, contextMaxTokens: 60 });
    expect(fresh.body.contextTokens).toBeGreaterThan(0);
    expect(fresh.body.contextShare).toBeGreaterThan(0);
    expect(fresh.body.contextShare).toBeLessThanOrEqual(100);
    const alone = await api.request('POST', '/api/chat/estimate', { token: user.token, body: { message: '두 번째' } });
    expect(alone.body).toMatchObject({ contextTokens: 0, contextShare: 0, contextTruncated: false, suggestNewConversation: false });
    expect(fresh.body.promptTokens - alone.body.promptTokens).toBe(fresh.body.contextTokens);

    for (let index = 0; index < 3; index += 1) {
      fake.next({ kind: 'reply', text: long });
      await turn(user, `${index}번째 ${long}`, first.conversationId);
    }
    const estimate = await api.request('POST', '/api/chat/estimate', { token: user.token, body: { message: '마지막', conversationId: first.conversationId } });
    expect(estimate.body).toMatchObject({ contextTruncated: true, suggestNewConversation: true });
    await turn(user, '마지막', first.conversationId);
    const sent = fake.requests.at(-1)!.body.messages;
    expect(sent[0]!.role).toBe('system');
    expect(sent.at(-1)).toEqual({ role: 'user', content: '마지막' });
    // The oldest turns went first; what is left starts with a question and ends with the newest reply.
    const context = sent.slice(1, -1);
    expect(context.length).toBeGreaterThan(0);
    expect(context.length % 2).toBe(0);
    expect(context[0]!.role).toBe('user');
    expect(context.map((m) => m.content)).not.toContain('첫 질문');
    expect(context.at(-1)).toEqual({ role: 'assistant', content: long });
    // What the estimate said is what the turn was sent.
    const rows = await api.database.db.select().from(messages).where(eq(messages.conversationId, first.conversationId)).orderBy(messages.id);
    const kept = rows.slice(0, -2).slice(-context.length);
    expect(kept.map((row) => row.content)).toEqual(context.map((m) => m.content));
    expect(kept.reduce((sum, row) => sum + row.contentTokens, 0)).toBeLessThanOrEqual(60);
  });

  it('still reads the former name CHAT_CONTEXT_BUDGET_TOKENS, and the new name wins', async () => {
    const { testConfig } = await import('../../testing/test-config.js');
    expect(testConfig({ CHAT_CONTEXT_BUDGET_TOKENS: '1234' }).chat.contextMaxTokens).toBe(1_234);
    expect(testConfig({ CHAT_CONTEXT_BUDGET_TOKENS: '1234', CHAT_CONTEXT_MAX_TOKENS: '567' }).chat.contextMaxTokens).toBe(567);
    expect(testConfig().chat.contextMaxTokens).toBe(3_000);
  });
});
