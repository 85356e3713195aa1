import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, rowsOf } from '../database/database.js';
import { ledgerEntries, tokenAccounts } from '../database/schema.js';
import { TokenStatsRepository } from '../admin/token-stats/token-stats.repository.js';
import { appLedger } from '../../testing/ledger-harness.js';
import { FakeOpenAiServer } from '../../testing/fake-openai-server.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

type User = { id: string; token: string; email: string };

let fake: FakeOpenAiServer;
let api: TestApp;
let admin: User;

beforeAll(async () => {
  fake = await new FakeOpenAiServer().start();
  api = await createTestApp(
    {
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: fake.url,
      // Config sets the seeded plans' figures: plus is dearer here, and a small plan for the caps.
      PLANS: JSON.stringify({
        plus: { priceKrw: 12_900 },
        lite: { name: { ko: '라이트', en: 'Lite' }, monthlyTokens: 50_000, models: ['consult-basic'], completionLimit: 100, turnsPerMinute: 3, concurrentTurns: 2, priceKrw: 0, forSale: true },
      }),
    },
    new Date('2026-11-10T03:00:00Z'),
  );
  admin = await api.signUpAdmin();
});
afterAll(async () => {
  await api?.close();
  await fake?.close();
});

async function account(userId: string) {
  const [row] = await api.database.db.select().from(tokenAccounts).where(eq(tokenAccounts.userId, userId));
  return row!;
}

async function setUsage(userId: string, usagePercent: number) {
  expect((await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId, usagePercent } })).status).toBe(200);
}

const assign = (userId: string, planId: string) => api.request('PUT', `/api/admin/users/${userId}/plan`, { token: admin.token, body: { planId } });
const send = (user: User, body: Record<string, unknown>) => api.request('POST', '/api/chat/send', { token: user.token, body });

describe('the plan table', () => {
  it('is seeded from config: every account starts on free, plans on sale are offered', async () => {
    const user = await api.signUp('plans');
    const page = await api.request('GET', '/api/plans', { token: user.token });
    expect(page.status).toBe(200);
    expect(page.body.current).toMatchObject({ planId: 'free', nextPlanId: null, periodEndsAt: '2026-11-30T15:00:00.000Z' });
    const ids = page.body.plans.map((plan: { id: string }) => plan.id);
    expect(ids).toEqual(expect.arrayContaining(['free', 'plus', 'pro', 'lite']));
    expect(ids).not.toContain('enterprise');
    const plus = page.body.plans.find((plan: { id: string }) => plan.id === 'plus');
    expect(plus).toMatchObject({ name: '플러스', monthlyTokens: 1_000_000, priceKrw: 12_900, forSale: true });
    const english = await api.request('GET', '/api/plans', { token: user.token, headers: { 'accept-language': 'en' } });
    expect(english.body.plans.find((plan: { id: string }) => plan.id === 'free').name).toBe('Free');
    expect((await account(user.id)).planId).toBe('free');
  });

  it('is managed by admins: create, change (config no longer overwrites it), retire; the free plan stays free', async () => {
    const team = { id: 'team', name: { ko: '팀', en: 'Team' }, monthlyTokens: 3_000_000, models: null, completionLimit: 4_096, turnsPerMinute: 60, concurrentTurns: 8, priceKrw: 49_000, forSale: true };
    const created = await api.request('POST', '/api/admin/plans', { token: admin.token, body: team });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'team', name: '팀', monthlyTokens: 3_000_000, models: null });
    expect((await api.request('POST', '/api/admin/plans', { token: admin.token, body: team })).body.code).toBe('PLAN_EXISTS');
    expect((await api.request('POST', '/api/admin/plans', { token: admin.token, body: { ...team, id: 'Bad Id' } })).status).toBe(400);
    for (const name of [[{ ko: '팀', en: 'Team' }], [], 'Team', { ko: '팀' }, { ko: '팀\u0000', en: 'Team' }]) {
      expect((await api.request('POST', '/api/admin/plans', { token: admin.token, body: { ...team, id: 'named', name } })).status).toBe(400);
    }
    expect((await api.request('POST', '/api/admin/plans', { token: admin.token, body: { ...team, id: 'huge', monthlyTokens: 1e23 } })).status).toBe(400);
    const badModel = await api.request('PATCH', '/api/admin/plans/team', { token: admin.token, body: { models: ['gpt-9'] } });
    expect(badModel.status).toBe(400);
    const changed = await api.request('PATCH', '/api/admin/plans/plus', { token: admin.token, body: { monthlyTokens: 1_200_000 } });
    expect(changed.body.monthlyTokens).toBe(1_200_000);
    const list = await api.request('GET', '/api/admin/plans', { token: admin.token });
    expect(list.body.find((plan: { id: string }) => plan.id === 'plus')).toMatchObject({ managedBy: 'admin', monthlyTokens: 1_200_000 });
    expect(list.body.find((plan: { id: string }) => plan.id === 'pro')).toMatchObject({ managedBy: 'config' });
    expect((await api.request('POST', '/api/admin/plans/free/retire', { token: admin.token })).body.code).toBe('FREE_PLAN_REQUIRED');
    expect((await api.request('PATCH', '/api/admin/plans/free', { token: admin.token, body: { priceKrw: 1_000 } })).body.code).toBe('FREE_PLAN_REQUIRED');
    expect((await api.request('PATCH', '/api/admin/plans/nope', { token: admin.token, body: { priceKrw: 1_000 } })).status).toBe(404);
    expect((await api.request('PATCH', '/api/admin/plans/..%2F', { token: admin.token, body: { priceKrw: 1_000 } })).status).toBe(404);

    // A retired plan keeps its subscribers, is not offered, and cannot be chosen.
    const member = await api.signUp('team');
    expect((await assign(member.id, 'team')).body.change).toBe('upgrade');
    const retired = await api.request('POST', '/api/admin/plans/team/retire', { token: admin.token });
    expect(retired.body).toMatchObject({ forSale: false, retiredAt: expect.any(String) });
    expect((await account(member.id)).planId).toBe('team');
    const page = await api.request('GET', '/api/plans', { token: member.token });
    expect(page.body.plans.map((plan: { id: string }) => plan.id)).toContain('team');
    const other = await api.signUp('other');
    expect((await api.request('GET', '/api/plans', { token: other.token })).body.plans.map((plan: { id: string }) => plan.id)).not.toContain('team');
    expect((await api.request('POST', '/api/plans/choose', { token: other.token, body: { planId: 'team' } })).body.code).toBe('PLAN_NOT_OFFERED');
    expect((await api.request('GET', '/api/admin/plans', { token: admin.token })).body.find((plan: { id: string }) => plan.id === 'team')).toMatchObject({ accounts: 1 });
  });

  it('is for admins only, and a user cannot buy a paid plan by switching to it', async () => {
    const user = await api.signUp('nosy');
    expect((await api.request('GET', '/api/admin/plans', { token: user.token })).status).toBe(403);
    expect((await api.request('PUT', `/api/admin/users/${user.id}/plan`, { token: user.token, body: { planId: 'pro' } })).status).toBe(403);
    const paid = await api.request('POST', '/api/plans/choose', { token: user.token, body: { planId: 'pro' } });
    expect(paid).toMatchObject({ status: 409, body: { code: 'PLAN_NEEDS_PAYMENT' } });
    expect((await account(user.id)).planId).toBe('free');
  });

  it('a user cannot keep a paid plan past the move set for the reset', async () => {
    const user = await api.signUp('keeper');
    await assign(user.id, 'pro');
    expect((await assign(user.id, 'free')).body).toMatchObject({ change: 'downgrade', current: { planId: 'pro', nextPlanId: 'free' } });
    const kept = await api.request('POST', '/api/plans/choose', { token: user.token, body: { planId: 'pro' } });
    expect(kept).toMatchObject({ status: 409, body: { code: 'PLAN_NEEDS_PAYMENT' } });
    expect(await account(user.id)).toMatchObject({ planId: 'pro', nextPlanId: 'free' });
  });

  it('an upgrade tops up to the new allowance from what the period was granted, even after a plan’s figures changed', async () => {
    const user = await api.signUp('figures');
    // This period got 100,000 on free. An admin lowers free now: the next upgrade still ends at pro's 5,000,000.
    await api.request('PATCH', '/api/admin/plans/free', { token: admin.token, body: { monthlyTokens: 10_000 } });
    try {
      expect((await assign(user.id, 'pro')).body.addedTokens).toBe(4_900_000);
      expect((await account(user.id)).periodCapacityTokens).toBe(5_000_000);
    } finally {
      await api.request('PATCH', '/api/admin/plans/free', { token: admin.token, body: { monthlyTokens: 100_000 } });
    }
  });
});

describe('changing plans', () => {
  it('an upgrade applies at once: this period’s allowance becomes the new plan’s, usage kept, the difference in the ledger', async () => {
    const user = await api.signUp('upgrade');
    await setUsage(user.id, 50);
    const before = await account(user.id);
    const change = await assign(user.id, 'pro');
    expect(change.status).toBe(200);
    expect(change.body).toMatchObject({ change: 'upgrade', addedTokens: 4_900_000, current: { planId: 'pro', nextPlanId: null } });
    const after = await account(user.id);
    expect(after.periodConsumedTokens).toBe(before.periodConsumedTokens);
    expect(after.periodCapacityTokens).toBe(before.periodCapacityTokens + 4_900_000);
    expect(after.freeTokens).toBe(before.freeTokens + 4_900_000);
    const entries = await api.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.userId, user.id));
    const entry = entries.find((row) => row.kind === 'PLAN_CHANGE')!;
    expect(entry).toMatchObject({ amountTokens: 4_900_000, actorId: admin.id, metadata: { fromPlanId: 'free', toPlanId: 'pro' } });
    const usage = await api.request('GET', '/api/ai-usage', { token: user.token });
    expect(usage.body.usagePercent).toBeCloseTo((50_000 / 5_000_000) * 100, 1);
    expect(await appLedger(api.app).verify(user.id)).toEqual([]);
  });

  it('an upgrade in overage settles the overage first, like any credit', async () => {
    const user = await api.signUp('overage');
    await setUsage(user.id, 103);
    expect((await account(user.id)).debtTokens).toBe(3_000);
    await assign(user.id, 'pro');
    const after = await account(user.id);
    expect(after).toMatchObject({ debtTokens: 0, freeTokens: 4_900_000 - 3_000, periodCapacityTokens: 5_000_000 });
    expect(await appLedger(api.app).verify(user.id)).toEqual([]);
  });

  it('a downgrade waits for the reset, which grants the new plan’s allowance; the stats agree with the reset before it happens', async () => {
    const local = await createTestApp({}, new Date('2026-10-20T00:00:00Z'));
    try {
      const localAdmin = await local.signUpAdmin();
      const user = await local.signUp('down');
      expect((await local.request('PUT', `/api/admin/users/${user.id}/plan`, { token: localAdmin.token, body: { planId: 'plus' } })).body.change).toBe('upgrade');
      const chosen = await local.request('POST', '/api/plans/choose', { token: user.token, body: { planId: 'free' } });
      expect(chosen.body).toMatchObject({ change: 'downgrade', addedTokens: 0, current: { planId: 'plus', nextPlanId: 'free', periodEndsAt: '2026-10-31T15:00:00.000Z' } });
      const [stillPlus] = await local.database.db.select().from(tokenAccounts).where(eq(tokenAccounts.userId, user.id));
      expect(stillPlus).toMatchObject({ planId: 'plus', nextPlanId: 'free', periodCapacityTokens: 1_000_000 });

      local.clock.set(new Date('2026-11-02T00:00:00Z'));
      // Before anything touched the account: the statistics' SQL says what the reset will leave.
      const { rows } = await local.app.get(TokenStatsRepository).searchUsers({ query: 'down', sort: 'usage', offset: 0, limit: 10 }, '2026-11', local.config.quota);
      expect(rows).toHaveLength(1);
      const predicted = rows[0]!.capacityTokens;

      await local.request('GET', '/api/ai-usage', { token: user.token });
      const [reset] = await local.database.db.select().from(tokenAccounts).where(eq(tokenAccounts.userId, user.id));
      expect(reset).toMatchObject({ planId: 'free', nextPlanId: null, periodKey: '2026-11', periodCapacityTokens: 100_000 });
      expect(Number(predicted)).toBe(reset!.periodCapacityTokens);
      const grants = await local.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.userId, user.id));
      expect(grants.at(-1)).toMatchObject({ kind: 'MONTHLY_GRANT', amountTokens: 100_000, metadata: expect.objectContaining({ planId: 'free', previousPlanId: 'plus' }) });
      expect(await appLedger(local.app).verify(user.id)).toEqual([]);

      // Choosing the plan one is on cancels a pending move.
      await local.request('PUT', `/api/admin/users/${user.id}/plan`, { token: localAdmin.token, body: { planId: 'plus' } });
      await local.request('POST', '/api/plans/choose', { token: user.token, body: { planId: 'free' } });
      const kept = await local.request('PUT', `/api/admin/users/${user.id}/plan`, { token: localAdmin.token, body: { planId: 'plus' } });
      expect(kept.body).toMatchObject({ change: 'same', current: { planId: 'plus', nextPlanId: null } });
    } finally {
      await local.close();
    }
  });
});

describe('what a plan lets a turn do', () => {
  it('only its models, up to its completion limit', async () => {
    const user = await api.signUp('lite');
    await api.request('POST', '/api/plans/choose', { token: user.token, body: { planId: 'lite' } });
    // lite costs nothing and has less: a downgrade, at the reset. An admin moves the account now.
    expect((await account(user.id)).nextPlanId).toBe('lite');
    await api.database.db.update(tokenAccounts).set({ planId: 'lite', nextPlanId: null }).where(eq(tokenAccounts.userId, user.id));
    const refused = await send(user, { message: '전문가 모델로 답해 주세요', model: 'consult-pro' });
    expect(refused).toMatchObject({ status: 402, body: { code: 'PLAN_MODEL_NOT_ALLOWED', planId: 'lite', allowedModels: ['consult-basic'] } });
    const models = await api.request('GET', '/api/chat/models', { token: user.token });
    expect(models.body.map((model: { id: string; allowed: boolean; completionLimit: number; isDefault: boolean }) => [model.id, model.allowed, model.completionLimit, model.isDefault])).toEqual([
      ['consult-basic', true, 100, true],
      ['consult-pro', false, 100, false],
    ]);
    const estimate = await api.request('POST', '/api/chat/estimate', { token: user.token, body: { message: '얼마나 드나요?', model: 'consult-basic' } });
    expect(estimate.body.maxCompletionTokens).toBe(100);
    fake.next({ kind: 'reply', text: '네', promptTokens: 20, completionTokens: 5 });
    const turn = await send(user, { message: '기본 모델로요', model: 'consult-basic' });
    expect(turn.status).toBe(200);
    expect(fake.requests.at(-1)?.body.max_tokens).toBe(100);
  });

  it('a turn that names no model gets the plan’s first when the plan leaves out the default', async () => {
    const created = await api.request('POST', '/api/admin/plans', {
      token: admin.token,
      body: { id: 'pro-only', name: { ko: '전문가 전용', en: 'Pro only' }, monthlyTokens: 100_000, models: ['consult-pro'], completionLimit: 500, turnsPerMinute: 10, concurrentTurns: 2, priceKrw: 0, forSale: false },
    });
    expect(created.status).toBe(201);
    const user = await api.signUp('proonly');
    await api.database.db.update(tokenAccounts).set({ planId: 'pro-only' }).where(eq(tokenAccounts.userId, user.id));
    fake.next({ kind: 'reply', text: '네', promptTokens: 20, completionTokens: 5 });
    const turn = await send(user, { message: '모델을 고르지 않았습니다' });
    expect(turn).toMatchObject({ status: 200, body: { model: 'consult-pro' } });
    const models = await api.request('GET', '/api/chat/models', { token: user.token });
    expect(models.body.find((model: { isDefault: boolean }) => model.isDefault).id).toBe('consult-pro');
  });

  it('never more turns at once than its cap, under real concurrency; the count goes back to zero', async () => {
    const user = await api.signUp('concurrent');
    await api.database.db.update(tokenAccounts).set({ planId: 'lite' }).where(eq(tokenAccounts.userId, user.id));
    fake.defaultBehavior = { kind: 'reply', text: '천천히 답합니다', firstChunkDelayMs: 2_000 };
    try {
      const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => send(user, { message: `동시에 ${i}`, model: 'consult-basic' })));
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
      // lite also allows only 3 turns a minute: at most 2 at once, and none past the cap.
      expect(statuses.filter((status) => status === 200)).toHaveLength(2);
      const refused = responses.filter((response) => response.status === 429);
      expect(refused).toHaveLength(6);
      expect(refused.every((response) => response.body.code === 'TOO_MANY_CONCURRENT_TURNS')).toBe(true);
    } finally {
      fake.defaultBehavior = { kind: 'reply' };
    }
    expect((await account(user.id)).openHolds).toBe(0);
    expect(await appLedger(api.app).verify(user.id)).toEqual([]);
  });

  it('no more turns a minute than its rate', async () => {
    const user = await api.signUp('rate');
    await api.database.db.update(tokenAccounts).set({ planId: 'lite' }).where(eq(tokenAccounts.userId, user.id));
    for (let i = 0; i < 3; i += 1) expect((await send(user, { message: `질문 ${i}`, model: 'consult-basic' })).status).toBe(200);
    const fourth = await send(user, { message: '네 번째', model: 'consult-basic' });
    expect(fourth).toMatchObject({ status: 429, body: { code: 'TOO_MANY_TURNS', limit: 3, retryAfterSeconds: 60 } });
    expect(fourth.body.message).toContain('1분');
    api.clock.advance(61_000);
    expect((await send(user, { message: '1분 뒤', model: 'consult-basic' })).status).toBe(200);
  });
});

describe('migration 0013', () => {
  it('moves every existing account to free with the same balances, and counts its open holds', async () => {
    // The migrations up to 0012 only, then the rest.
    const folder = mkdtempSync(path.join(tmpdir(), 'consult-on-migrations-'));
    try {
      cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
      const journalPath = path.join(folder, 'meta', '_journal.json');
      const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
      const index = journal.entries.findIndex((entry) => entry.tag.startsWith('0013'));
      writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, index) }));
      const client = new PGlite();
      const db = drizzle({ client });
      await migrate(db, { migrationsFolder: folder });
      await client.exec(`
        insert into users (id, email, password_hash) values ('00000000-0000-4000-8000-000000000001', 'old@x.test', 'x');
        insert into token_accounts (user_id, period_key, free_tokens, purchased_tokens, held_tokens, period_capacity_tokens, period_consumed_tokens)
          values ('00000000-0000-4000-8000-000000000001', '2026-11', 60000, 5000, 700, 105000, 40000);
        insert into token_holds (user_id, tokens, period_key, purpose, expires_at) values
          ('00000000-0000-4000-8000-000000000001', 300, '2026-11', 'chat', now() + interval '5 minutes'),
          ('00000000-0000-4000-8000-000000000001', 400, '2026-11', 'chat', now() + interval '5 minutes');
        insert into token_holds (user_id, tokens, period_key, purpose, expires_at, status) values
          ('00000000-0000-4000-8000-000000000001', 900, '2026-11', 'chat', now(), 'SETTLED');`);
      await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
      const rows = rowsOf<Record<string, unknown>>(await db.execute(sql`select plan_id, next_plan_id, open_holds, free_tokens, purchased_tokens, held_tokens, period_capacity_tokens, period_consumed_tokens from token_accounts`));
      expect(rows).toEqual([
        { plan_id: 'free', next_plan_id: null, open_holds: 2, free_tokens: 60000, purchased_tokens: 5000, held_tokens: 700, period_capacity_tokens: 105000, period_consumed_tokens: 40000 },
      ]);
      await client.close();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
