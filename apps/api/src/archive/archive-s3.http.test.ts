import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../database/database.js';
import { startFakeS3, type FakeS3 } from '../../testing/fake-s3-server.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

// The archive in an S3-compatible object store (ARCHIVE_S3_URL), through the AWS SDK v3 against a
// local S3 stand-in over real HTTP: objects written before their rows, read back checked, deleted
// with a restore, a conversation or an account; an outage archives nothing and the next run goes on.
let s3: FakeS3;
let api: TestApp;
const DAY = 86_400_000;

beforeAll(async () => {
  s3 = await startFakeS3('test-access');
  api = await createTestApp({ ARCHIVE_S3_URL: s3.url('test-access', 'test-secret', 'archives') }, new Date('2026-06-01T03:00:00Z'));
});
afterAll(async () => {
  await api?.close();
  await s3?.close();
});

const send = (token: string, message: string) => api.request('POST', '/api/chat/send', { token, body: { message } });

describe('conversation archive in an S3-compatible store', () => {
  it('keeps archives as objects, reads and restores them, and deletes them with their conversation or account', async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp('s3-archive');
    const kept = (await send(user.token, '객체 저장소에 보관될 대화')).body.conversationId as string;
    const dropped = (await send(user.token, '지워질 대화')).body.conversationId as string;
    const before = (await api.request('GET', `/api/chat/conversations/${kept}`, { token: user.token })).body;
    api.clock.advance(91 * DAY);

    // An outage: the job fails and nothing is archived; the next run goes on.
    s3.failNext(10);
    expect((await api.request('POST', '/api/admin/jobs/conversation-archive/run', { token: admin.token })).status).toBeGreaterThanOrEqual(500);
    const [untouched] = rowsOf<{ archived: number }>(await api.database.db.execute(sql`select count(*)::int as archived from conversations where user_id = ${user.id} and archived_at is not null`));
    expect(untouched!.archived).toBe(0);
    s3.failNext(0);
    const run = await api.request('POST', '/api/admin/jobs/conversation-archive/run', { token: admin.token });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(s3.objects.has(`/archives/conversations/${kept}.json.gz`)).toBe(true);
    const [row] = rowsOf<{ storage: string; payload: Buffer | null; object_key: string }>(
      await api.database.db.execute(sql`select storage, payload, object_key from conversation_archives where conversation_id = ${kept}`),
    );
    expect(row).toMatchObject({ storage: 's3', payload: null, object_key: `conversations/${kept}.json.gz` });

    const opened = await api.request('GET', `/api/chat/conversations/${kept}`, { token: user.token });
    expect(opened.body.archived).toBe(true);
    expect(opened.body.messages).toEqual(before.messages);

    expect((await api.request('DELETE', `/api/chat/conversations/${dropped}`, { token: user.token })).status).toBe(204);
    expect(s3.objects.has(`/archives/conversations/${dropped}.json.gz`)).toBe(false);

    const restored = await api.request('POST', `/api/chat/conversations/${kept}/restore`, { token: user.token });
    expect(restored.body.messages).toEqual(before.messages);
    expect(s3.objects.has(`/archives/conversations/${kept}.json.gz`)).toBe(false);

    // Archived again, then the account goes: its objects go with it.
    api.clock.advance(91 * DAY);
    await api.request('POST', '/api/admin/jobs/conversation-archive/run', { token: admin.token });
    expect(s3.objects.has(`/archives/conversations/${kept}.json.gz`)).toBe(true);
    expect((await api.request('POST', '/api/account/delete', { token: user.token, body: { password: 'password-123' } })).status).toBe(200);
    expect(s3.objects.has(`/archives/conversations/${kept}.json.gz`)).toBe(false);
  });

  it('refuses an ARCHIVE_S3_URL it cannot use', async () => {
    const { loadConfig } = await import('../config/app-config.js');
    for (const url of ['http://host/bucket', 'http://a:b@host/', 'ftp://a:b@host/bucket', 'http://a:b@host/bucket/deeper']) {
      expect(() => loadConfig({ ARCHIVE_S3_URL: url }), url).toThrow(/ARCHIVE_S3_URL/);
    }
  });
});
