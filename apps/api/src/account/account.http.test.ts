import OpenAI from 'openai';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../database/database.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

// The account's own life: its owner takes the data along or deletes it; an admin suspends and
// reactivates it.
let api: TestApp;

beforeAll(async () => {
  api = await createTestApp();
});
afterAll(async () => {
  await api?.close();
});

const keyClient = (key: string) => new OpenAI({ apiKey: key, baseURL: `${api.baseUrl}/v1`, maxRetries: 0 });

describe('export my data', () => {
  it('gives one JSON file of everything kept about the caller, and the ledger as CSV', async () => {
    const user = await api.signUp('export');
    const other = await api.signUp('export-other');
    await api.request('POST', '/api/chat/send', { token: other.token, body: { message: '남의 대화' } });
    const turn = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '"따옴표"와 \\ 역슬래시, 줄\n바꿈' } });
    expect(turn.status).toBe(200);
    await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '두 번째', conversationId: turn.body.conversationId } });
    const bought = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers: { 'idempotency-key': 'export-order' } });
    expect(bought.status).toBe(200);
    await api.request('POST', '/api/api-keys', { token: user.token, body: { name: '내 키' } });
    const subscribed = await api.request('POST', '/api/payments/subscriptions', { token: user.token, body: { productId: 'monthly-test' }, headers: { 'idempotency-key': 'export-subscription' } });
    expect(subscribed.status, JSON.stringify(subscribed.body)).toBeLessThan(300);

    const response = await fetch(`${api.baseUrl}/api/account/export`, { headers: { authorization: `Bearer ${user.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="consult-on-export-\d{4}-\d{2}-\d{2}\.json"/);
    const data = await response.json();
    expect(data.profile).toMatchObject({ id: user.id, email: user.email });
    expect(data.tokenAccount).toMatchObject({ userId: user.id });
    expect(data.conversations).toHaveLength(1);
    expect(data.conversations[0].messages.map((message: { role: string }) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(data.conversations[0].messages[0].content).toBe('"따옴표"와 \\ 역슬래시, 줄\n바꿈');
    expect(data.ledger.map((entry: { kind: string }) => entry.kind)).toEqual(expect.arrayContaining(['MONTHLY_GRANT', 'CONSUMPTION', 'PURCHASE']));
    expect(data.ledger.every((entry: { userId: string }) => entry.userId === user.id)).toBe(true);
    expect(data.purchases.map((purchase: { packageId: string }) => purchase.packageId)).toContain('tokens-50k');
    // A subscription without what charges the saved method again.
    expect(data.subscriptions).toHaveLength(1);
    expect(data.subscriptions[0]).toMatchObject({ productId: 'monthly-test', status: 'ACTIVE' });
    expect(Object.keys(data.subscriptions[0])).not.toEqual(expect.arrayContaining(['reference']));
    expect(Object.keys(data.subscriptions[0])).not.toContain('customerKey');
    expect(data.apiKeys).toEqual([expect.objectContaining({ name: '내 키' })]);
    expect(JSON.stringify(data.apiKeys)).not.toMatch(/secret|hash/i);
    expect(Array.isArray(data.notifications)).toBe(true);
    expect(JSON.stringify(data)).not.toContain('남의 대화');

    const csv = await fetch(`${api.baseUrl}/api/account/export/ledger.csv`, { headers: { authorization: `Bearer ${user.token}` } });
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('id,createdAt,createdAtLocal,kind,period,memberEmail,amountTokens,freeDelta,purchasedDelta,overageDelta,heldDelta,reason');
    expect(lines.length - 1).toBe(data.ledger.length);
  });
});

describe('delete my account', () => {
  it('needs the password, ends every session and key, deletes personal data and keeps the ledger and payments anonymized', async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp('leaving');
    const other = (await api.request('POST', '/api/auth/login', { body: { email: user.email, password: 'password-123' } })).body.accessToken as string;
    await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '지워질 대화' } });
    await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers: { 'idempotency-key': 'leaving-order' } });
    const key = (await api.request('POST', '/api/api-keys', { token: user.token, body: { name: 'leaving' } })).body.key as string;
    const entriesBefore = await ledgerCount(user.id);

    const wrong = await api.request('POST', '/api/account/delete', { token: user.token, body: { password: 'not-mine-123' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('WRONG_CURRENT_PASSWORD');

    const deleted = await api.request('POST', '/api/account/delete', { token: user.token, body: { password: 'password-123' } });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    expect(deleted.body).toEqual({ deleted: true });
    for (const token of [user.token, other]) expect((await api.request('GET', '/api/auth/me', { token })).status).toBe(401);
    expect((await api.request('POST', '/api/auth/login', { body: { email: user.email, password: 'password-123' } })).status).toBe(401);
    await expect(keyClient(key).models.list()).rejects.toMatchObject({ status: 401 });

    const [row] = rowsOf<{ email: string; deleted_at: Date | null; conversations: number; payments: number }>(
      await api.database.db.execute(sql`
        select email, deleted_at,
          (select count(*)::int from conversations where user_id = ${user.id}) as conversations,
          (select count(*)::int from payments where user_id = ${user.id}) as payments
        from users where id = ${user.id}`),
    );
    expect(row).toMatchObject({ email: `deleted-${user.id}@deleted.invalid`, conversations: 0, payments: 1 });
    expect(row!.deleted_at).not.toBeNull();
    expect(await ledgerCount(user.id)).toBe(entriesBefore);
    const verify = await api.request('GET', '/api/admin/ledger/verify', { token: admin.token });
    expect(verify.body.ok, JSON.stringify(verify.body)).toBe(true);
    // The address is free again: a new account, nothing of the old one.
    const again = await api.request('POST', '/api/auth/register', { body: { email: user.email, password: 'password-123' } });
    expect(again.status).toBe(201);
    expect(again.body.user.id).not.toBe(user.id);
    // A second deletion of the same account finds nobody.
    expect((await api.request('POST', '/api/account/delete', { token: user.token, body: { password: 'password-123' } })).status).toBe(401);
  });

  it("refuses while the caller is an organization's only owner with other members; an organization they alone belong to stays, with nobody in it", async () => {
    const owner = await api.signUp('sole-owner');
    const organizationId = await api.createOrganization(owner, '넘겨야 할 조직');
    const member = await api.joinOrganization(owner, organizationId, { role: 'MEMBER' });
    const blocked = await api.request('POST', '/api/account/delete', { token: owner.token, body: { password: 'password-123' } });
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({ code: 'OWNS_ORGANIZATION', organizations: [{ id: organizationId, name: '넘겨야 할 조직' }] });
    expect((await api.request('GET', '/api/auth/me', { token: owner.token })).status).toBe(200);

    // Handed over: the owner may leave, and the organization goes on with its new owner.
    expect((await api.request('PATCH', `/api/organizations/${organizationId}/members/${member.id}`, { token: owner.token, body: { role: 'OWNER' } })).status).toBe(200);
    const alone = await api.createOrganization(owner, '혼자인 조직');
    const invitation = await api.request('POST', `/api/organizations/${alone}/invitations`, { token: owner.token, body: { role: 'MEMBER' } });
    expect(invitation.status).toBe(201);
    expect((await api.request('POST', '/api/account/delete', { token: owner.token, body: { password: 'password-123' } })).status).toBe(200);
    const organization = await api.request('GET', `/api/organizations/${organizationId}`, { token: member.token });
    expect(organization.body.members.map((item: { userId: string }) => item.userId)).toEqual([member.id]);
    const [kept] = rowsOf<{ members: number; pools: number; open: number }>(
      await api.database.db.execute(sql`
        select (select count(*)::int from organization_members where organization_id = ${alone}) as members,
          (select count(*)::int from token_accounts where user_id = ${alone}) as pools,
          (select count(*)::int from organization_invitations where organization_id = ${alone} and revoked_at is null and accepted_at is null) as open`),
    );
    // Its pool and books stay for the admins; nobody can join it any more.
    expect(kept).toEqual({ members: 0, pools: 1, open: 0 });
  });

  it('voids the turns the account has in flight', async () => {
    const slow = await createTestApp({ DEMO_MODEL_DELAY_MS: '200' });
    try {
      const admin = await slow.signUpAdmin();
      const user = await slow.signUp('in-flight');
      const client = new AbortController();
      const turn = fetch(`${slow.baseUrl}/api/chat/send`, {
        method: 'POST',
        signal: client.signal,
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: '긴 답을 주세요' }),
      });
      for (let i = 0; i < 50 && (await openHolds(slow, user.id)) === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await openHolds(slow, user.id)).toBe(1);
      expect((await slow.request('POST', '/api/account/delete', { token: user.token, body: { password: 'password-123' } })).status).toBe(200);
      expect(await openHolds(slow, user.id)).toBe(0);
      client.abort();
      await turn.then((response) => response.text()).catch(() => null);
      // The turn's end (it left, or found its hold voided) changed nothing more.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await openHolds(slow, user.id)).toBe(0);
      const verify = await slow.request('GET', '/api/admin/ledger/verify', { token: admin.token });
      expect(verify.body.ok, JSON.stringify(verify.body)).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it('refuses while an order is being paid, and cancels the subscriptions when it goes', async () => {
    const user = await api.signUp('pending-order');
    const subscribed = await api.request('POST', '/api/payments/subscriptions', { token: user.token, body: { productId: 'monthly-test' }, headers: { 'idempotency-key': 'leaving-subscription' } });
    expect(subscribed.status).toBeLessThan(300);
    await api.database.db.execute(sql`insert into payments (user_id, package_id, tokens, amount, provider) values (${user.id}, 'tokens-50k', 50000, 5000, 'instant')`);
    const refused = await api.request('POST', '/api/account/delete', { token: user.token, body: { password: 'password-123' } });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('PAYMENT_IN_PROGRESS');
    await api.database.db.execute(sql`update payments set status = 'FAILED' where user_id = ${user.id} and status = 'PENDING'`);
    expect((await api.request('POST', '/api/account/delete', { token: user.token, body: { password: 'password-123' } })).status).toBe(200);
    const [row] = rowsOf<{ active: number }>(await api.database.db.execute(sql`select count(*)::int as active from payment_subscriptions where user_id = ${user.id} and status <> 'CANCELED'`));
    expect(row!.active).toBe(0);
  });

  it('refuses hostile values', async () => {
    const user = await api.signUp('delete-hostile');
    for (const body of [{}, { password: 1e23 }, { password: 'x'.repeat(100_000) }, { password: 'password-123\u0000' }, { password: '\ud800' }, { password: ['password-123'] }]) {
      expect((await api.request('POST', '/api/account/delete', { token: user.token, body })).status, JSON.stringify(body).slice(0, 40)).toBe(400);
    }
    expect((await api.request('GET', '/api/auth/me', { token: user.token })).status).toBe(200);
  });
});

describe('suspend and reactivate (admins)', () => {
  it("stops the account's sessions and keys at once and starts them again", async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp('suspended');
    const key = (await api.request('POST', '/api/api-keys', { token: user.token, body: { name: 'suspended' } })).body.key as string;
    expect((await keyClient(key).models.list()).data.length).toBeGreaterThan(0);

    const suspended = await api.request('POST', `/api/admin/users/${user.id}/suspend`, { token: admin.token });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ id: user.id, suspended: true });
    expect((await api.request('GET', '/api/auth/me', { token: user.token })).status).toBe(401);
    await expect(keyClient(key).models.list()).rejects.toMatchObject({ status: 401 });
    const login = await api.request('POST', '/api/auth/login', { body: { email: user.email, password: 'password-123' } });
    expect(login.status).toBe(403);
    expect(login.body.code).toBe('ACCOUNT_SUSPENDED');
    // A wrong password says nothing about the suspension.
    expect((await api.request('POST', '/api/auth/login', { body: { email: user.email, password: 'wrong-password-1' } })).status).toBe(401);
    expect((await api.request('GET', `/api/admin/token-stats/user/${user.id}`, { token: admin.token })).body).toMatchObject({ suspended: true, deleted: false });

    const reactivated = await api.request('POST', `/api/admin/users/${user.id}/reactivate`, { token: admin.token });
    expect(reactivated.body).toMatchObject({ suspended: false });
    // The sessions from before the lock stay ended: the owner signs in again.
    expect((await api.request('GET', '/api/auth/me', { token: user.token })).status).toBe(401);
    const back = await api.request('POST', '/api/auth/login', { body: { email: user.email, password: 'password-123' } });
    expect(back.status).toBe(200);
    expect((await keyClient(key).models.list()).data.length).toBeGreaterThan(0);

    expect((await api.request('POST', `/api/admin/users/${admin.id}/suspend`, { token: admin.token })).body.code).toBe('CANNOT_SUSPEND_ADMIN');
    expect((await api.request('POST', '/api/admin/users/00000000-0000-4000-8000-000000000000/suspend', { token: admin.token })).status).toBe(404);
    expect((await api.request('POST', '/api/admin/users/not-a-uuid/suspend', { token: admin.token })).status).toBe(404);
  });

  it('stops its sessions on another instance within a second, and a newer session works there at once', async () => {
    const second = await createTestApp({}, undefined, api.database);
    try {
      const admin = await api.signUpAdmin();
      const user = await api.signUp('suspended-elsewhere');
      expect((await second.request('GET', '/api/auth/me', { token: user.token })).status).toBe(200);
      expect((await api.request('POST', `/api/admin/users/${user.id}/suspend`, { token: admin.token })).status).toBe(200);
      const suspendedAt = Date.now();
      let refused = false;
      while (!refused && Date.now() - suspendedAt < 3_000) {
        refused = (await second.request('GET', '/api/auth/me', { token: user.token })).status === 401;
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(refused).toBe(true);
      // Within the second the other instance trusts its copy (and the requests of the loop on a busy machine).
      expect(Date.now() - suspendedAt).toBeLessThanOrEqual(1_500);

      // Reactivated and signed in on the first: the new session (a newer session version than the
      // second instance read a moment ago) is accepted on the second at once.
      expect((await api.request('POST', `/api/admin/users/${user.id}/reactivate`, { token: admin.token })).status).toBe(200);
      expect((await second.request('GET', '/api/auth/me', { token: user.token })).status).toBe(401);
      const login = await api.request('POST', '/api/auth/login', { body: { email: user.email, password: 'password-123' } });
      expect((await second.request('GET', '/api/auth/me', { token: login.body.accessToken })).status).toBe(200);
      // Reactivating an account that is not locked ends nothing.
      expect((await api.request('POST', `/api/admin/users/${user.id}/reactivate`, { token: admin.token })).status).toBe(200);
      expect((await api.request('GET', '/api/auth/me', { token: login.body.accessToken })).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

async function ledgerCount(userId: string): Promise<number> {
  const [row] = rowsOf<{ count: number }>(await api.database.db.execute(sql`select count(*)::int as count from ledger_entries where user_id = ${userId}`));
  return row!.count;
}

async function openHolds(app: TestApp, userId: string): Promise<number> {
  const [row] = rowsOf<{ count: number }>(await app.database.db.execute(sql`select count(*)::int as count from token_holds where user_id = ${userId} and status = 'OPEN'`));
  return row!.count;
}
