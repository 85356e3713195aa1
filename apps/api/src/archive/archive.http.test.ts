import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../database/database.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

// The conversation archive: idle conversations' messages move into one compressed, checksummed
// row each (the job, in batches); they stay listed, open read-only, and "continue" restores them.
let api: TestApp;
const DAY = 86_400_000;

beforeAll(async () => {
  api = await createTestApp({ ARCHIVE_AFTER_DAYS: '90' }, new Date('2026-06-01T03:00:00Z'));
});
afterAll(async () => {
  await api?.close();
});

const send = (token: string, message: string, conversationId?: string) => api.request('POST', '/api/chat/send', { token, body: { message, ...(conversationId ? { conversationId } : {}) } });
const runJob = async (token: string) => {
  const run = await api.request('POST', '/api/admin/jobs/conversation-archive/run', { token });
  expect(run.status, JSON.stringify(run.body)).toBe(200);
  return run.body.result as { conversations: number; messages: number; bytesRaw: number; bytesStored: number };
};
const messageRows = async (conversationId: string) =>
  rowsOf<{ count: number }>(await api.database.db.execute(sql`select count(*)::int as count from messages where conversation_id = ${conversationId}`))[0]!.count;

describe('conversation archive', () => {
  it('archives idle conversations, lists them marked, opens them read-only and restores them whole', async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp('archive');
    api.clock.set(new Date('2026-06-01T03:00:00Z'));
    const first = await send(user.token, '"따옴표", 이모지 😀 그리고 긴 설명을 부탁합니다');
    expect(first.status).toBe(200);
    const oldId = first.body.conversationId as string;
    expect((await send(user.token, '두 번째 질문', oldId)).status).toBe(200);
    const before = await api.request('GET', `/api/chat/conversations/${oldId}`, { token: user.token });
    expect(before.body.messages).toHaveLength(4);

    api.clock.advance(91 * DAY);
    const recent = (await send(user.token, '최근 대화')).body.conversationId as string;
    const moved = await runJob(admin.token);
    expect(moved.conversations).toBeGreaterThanOrEqual(1);
    expect(moved.bytesStored).toBeLessThan(moved.bytesRaw);
    expect(await messageRows(oldId)).toBe(0);
    const [archive] = rowsOf<{ message_count: number; sha256: string }>(await api.database.db.execute(sql`select message_count, sha256 from conversation_archives where conversation_id = ${oldId}`));
    expect(archive).toMatchObject({ message_count: 4, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // Ledger entries are never archived.
    const [ledger] = rowsOf<{ count: number }>(await api.database.db.execute(sql`select count(*)::int as count from ledger_entries where user_id = ${user.id} and kind = 'CONSUMPTION'`));
    expect(ledger!.count).toBe(3);
    // Run again: nothing more to move (the recent one is not due).
    expect((await runJob(admin.token)).conversations).toBe(0);

    const list = await api.request('GET', '/api/chat/conversations', { token: user.token });
    const byId = new Map((list.body.items as { id: string; archived: boolean }[]).map((item) => [item.id, item.archived]));
    expect(byId.get(oldId)).toBe(true);
    expect(byId.get(recent)).toBe(false);

    const opened = await api.request('GET', `/api/chat/conversations/${oldId}`, { token: user.token });
    expect(opened.body).toMatchObject({ archived: true });
    expect(opened.body.messages).toEqual(before.body.messages);
    const refused = await send(user.token, '이어서', oldId);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONVERSATION_ARCHIVED');

    // Another user can neither restore nor open it.
    const other = await api.signUp('archive-other');
    expect((await api.request('POST', `/api/chat/conversations/${oldId}/restore`, { token: other.token })).status).toBe(404);
    expect((await api.request('GET', `/api/chat/conversations/${oldId}`, { token: other.token })).status).toBe(404);

    const restored = await api.request('POST', `/api/chat/conversations/${oldId}/restore`, { token: user.token });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ archived: false });
    expect(restored.body.messages).toEqual(before.body.messages);
    expect(await messageRows(oldId)).toBe(4);
    expect((await api.request('POST', `/api/chat/conversations/${oldId}/restore`, { token: user.token })).status).toBe(404);
    // Restored is active again: the next run leaves it.
    expect((await runJob(admin.token)).conversations).toBe(0);
    expect((await send(user.token, '이어서 묻습니다', oldId)).status).toBe(200);

    // A turn on a conversation about to be due claims it first: the job then leaves it alone.
    api.clock.advance(90 * DAY - 3_600_000);
    expect((await send(user.token, '오래된 대화를 이어 갑니다', oldId)).status).toBe(200);
    api.clock.advance(2 * 3_600_000);
    await runJob(admin.token);
    expect((await api.request('GET', `/api/chat/conversations/${oldId}`, { token: user.token })).body.archived).toBe(false);
  });

  it('deletes an archived conversation for good, exports it, and never serves a damaged archive', async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp('archive-delete');
    const a = (await send(user.token, '지울 대화')).body.conversationId as string;
    const b = (await send(user.token, '손상될 대화')).body.conversationId as string;
    api.clock.advance(91 * DAY);
    await runJob(admin.token);

    const exported = await (await fetch(`${api.baseUrl}/api/account/export`, { headers: { authorization: `Bearer ${user.token}` } })).json();
    const archived = (exported.conversations as { id: string; messages: { content: string }[] }[]).find((conversation) => conversation.id === a);
    expect(archived?.messages.map((message) => message.content)[0]).toBe('지울 대화');

    expect((await api.request('DELETE', `/api/chat/conversations/${a}`, { token: user.token })).status).toBe(204);
    const [left] = rowsOf<{ count: number }>(await api.database.db.execute(sql`select count(*)::int as count from conversation_archives where conversation_id = ${a}`));
    expect(left!.count).toBe(0);

    await api.database.db.execute(sql`update conversation_archives set sha256 = repeat('0', 64) where conversation_id = ${b}`);
    const damaged = await api.request('GET', `/api/chat/conversations/${b}`, { token: user.token });
    expect(damaged.status).toBe(500);
    expect(damaged.body.code).toBe('ARCHIVE_DAMAGED');
    // The export says so for that conversation, and stays a whole file.
    const again = await (await fetch(`${api.baseUrl}/api/account/export`, { headers: { authorization: `Bearer ${user.token}` } })).json();
    expect((again.conversations as { id: string; messages: unknown[] }[]).find((conversation) => conversation.id === b)?.messages).toEqual([{ error: 'ARCHIVE_DAMAGED' }]);
  });
});
