import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../testing/test-app.js';
import { TokenStatsRepository } from './token-stats.repository.js';

let api: TestApp;
let admin: { id: string; token: string; email: string };
const users: { id: string; token: string; email: string }[] = [];

beforeAll(async () => {
  api = await createTestApp();
  admin = await api.signUpAdmin();
  for (const percent of [30, 60, 85, 92, 97]) {
    const user = await api.signUp(`stats${percent}`);
    users.push(user);
    await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId: user.id, usagePercent: percent } });
  }
  await api.request('POST', '/api/ai-usage/purchase', { token: users[0]!.token, body: { packageId: 'tokens-50k' }, headers: { 'idempotency-key': 'stats-buy' } });
});
afterAll(async () => {
  await api?.close();
});

const getStats = (query = '') => api.request('GET', `/api/admin/token-stats${query}`, { token: admin.token });

describe('GET /api/admin/token-stats', () => {
  it('aggregates overview, distribution and the top users of the period', async () => {
    await api.request('DELETE', '/api/admin/token-stats/cache', { token: admin.token });
    const response = await getStats();
    expect(response.status).toBe(200);
    const { overview, distribution, topUsers, cached, period } = response.body;
    expect(period).toBe('2026-11');
    expect(cached).toBe(false);
    // 30 % of 100,000 plus the 50,000 bought later makes 30,000 of 150,000 = 20 %.
    expect(overview).toEqual({
      totalUsers: 6,
      activeUsers: 5,
      totalUsedTokens: 30_000 + 60_000 + 85_000 + 92_000 + 97_000,
      totalPurchasedTokens: 50_000,
      averageUsedTokens: Math.round((30_000 + 60_000 + 85_000 + 92_000 + 97_000) / 5),
    });
    expect(distribution).toEqual({ under50: 2, under80: 1, under90: 1, under95: 1, over95: 1 });
    expect(response.body.plans).toEqual([{ planId: 'free', users: 6, activeUsers: 5, usedTokens: overview.totalUsedTokens }]);
    expect(topUsers.map((user: { usedTokens: number }) => user.usedTokens)).toEqual([97_000, 92_000, 85_000, 60_000, 30_000]);
    expect(topUsers[0]).toMatchObject({ userId: users[4]!.id, email: users[4]!.email, usagePercent: 97, level: 'CRITICAL', purchasedTokens: 0 });
    expect(topUsers[0]).toHaveProperty('lastActiveAt');
  });

  it('is cached, cleared on demand, and concurrent misses compute once', async () => {
    await api.request('DELETE', '/api/admin/token-stats/cache', { token: admin.token });
    const repository = api.app.get(TokenStatsRepository);
    const original = repository.aggregates.bind(repository);
    let computations = 0;
    repository.aggregates = async (...args) => {
      computations += 1;
      return original(...args);
    };
    try {
      const responses = await Promise.all(Array.from({ length: 5 }, () => getStats()));
      expect(responses.every((response) => response.status === 200)).toBe(true);
      expect(responses.some((response) => response.body.cached === false)).toBe(true);
      expect(computations).toBe(1);
      expect((await getStats()).body.cached).toBe(true);
      expect(computations).toBe(1);
      const cleared = await api.request('DELETE', '/api/admin/token-stats/cache', { token: admin.token });
      expect(cleared.body).toEqual({ cleared: true });
      expect((await getStats()).body.cached).toBe(false);
      expect(computations).toBe(2);
    } finally {
      repository.aggregates = original;
    }
  });

  it('reports a past month from the ledger once a new one began', async () => {
    const local = await createTestApp({}, new Date('2026-10-20T00:00:00Z'));
    try {
      const localAdmin = await local.signUpAdmin();
      const user = await local.signUp();
      await local.request('POST', '/api/ai-usage/test-usage', { token: localAdmin.token, body: { userId: user.id, usagePercent: 70 } });
      // Upgraded in October, moving back to free with November's reset.
      const plus = await local.signUp();
      await local.request('PUT', `/api/admin/users/${plus.id}/plan`, { token: localAdmin.token, body: { planId: 'plus' } });
      await local.request('PUT', `/api/admin/users/${plus.id}/plan`, { token: localAdmin.token, body: { planId: 'free' } });
      local.clock.set(new Date('2026-11-05T00:00:00Z'));
      // November before anything touched the accounts: each on the plan its reset will start it on.
      const before = await local.request('GET', '/api/admin/token-stats', { token: localAdmin.token });
      expect(before.body.plans.map((plan: { planId: string; users: number }) => [plan.planId, plan.users])).toEqual([['free', 3]]);
      await local.request('GET', '/api/ai-usage', { token: user.token });
      await local.request('DELETE', '/api/admin/token-stats/cache', { token: localAdmin.token });
      const october = await local.request('GET', '/api/admin/token-stats?period=2026-10', { token: localAdmin.token });
      expect(october.body.overview).toMatchObject({ activeUsers: 1, totalUsedTokens: 70_000 });
      expect(october.body.distribution.under80).toBe(1);
      expect(october.body.plans).toEqual([
        { planId: 'free', users: 2, activeUsers: 1, usedTokens: 70_000 },
        { planId: 'plus', users: 1, activeUsers: 0, usedTokens: 0 },
      ]);
      const november = await local.request('GET', '/api/admin/token-stats', { token: localAdmin.token });
      expect(november.body.overview).toMatchObject({ activeUsers: 0, totalUsedTokens: 0 });
      expect((await local.request('GET', '/api/admin/token-stats?period=2027-01', { token: localAdmin.token })).status).toBe(404);
      expect((await local.request('GET', '/api/admin/token-stats?period=2026-13', { token: localAdmin.token })).status).toBe(400);
    } finally {
      await local.close();
    }
  });

  it('still answers when the cache is unreachable, marked uncached', async () => {
    const broken = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const brokenAdmin = await broken.signUpAdmin();
      const started = Date.now();
      const first = await broken.request('GET', '/api/admin/token-stats', { token: brokenAdmin.token });
      const second = await broken.request('GET', '/api/admin/token-stats', { token: brokenAdmin.token });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect([first.body.cached, second.body.cached]).toEqual([false, false]);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await broken.request('GET', '/health')).body).toMatchObject({ status: 'degraded', cache: { status: 'down' } });
    } finally {
      await broken.close();
    }
  });
});

describe('GET /api/admin/token-stats/user/:userId', () => {
  it('shows state, split, ledger, daily usage, adjustments, counts and the forecast', async () => {
    const user = users[3]!;
    await api.request('POST', `/api/admin/users/${user.id}/adjustments`, { token: admin.token, body: { tokens: 1_000, reason: '보상 지급' } });
    await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '상세 확인' } });
    const response = await api.request('GET', `/api/admin/token-stats/user/${user.id}?limit=5`, { token: admin.token });
    expect(response.status).toBe(200);
    const detail = response.body;
    expect(detail).toMatchObject({ userId: user.id, email: user.email, role: 'USER', conversations: 1, notificationsSent: 1 });
    expect(detail.usage).toMatchObject({ level: 'WARNING', purchasedTokens: expect.any(Number), freeTokens: expect.any(Number) });
    expect(detail.usage.forecast).toMatchObject({ sampleDays: 14, resetComesFirst: expect.any(Boolean) });
    expect(detail.ledger).toHaveLength(5);
    expect(detail.ledgerNextCursor).toEqual(expect.any(Number));
    expect(detail.adjustments[0]).toMatchObject({ actorId: admin.id, reason: '보상 지급', amountTokens: 1_000 });
    expect(detail.dailyUsage).toHaveLength(90);
    expect(detail.dailyUsage.at(-1)).toMatchObject({ day: '2026-11-10' });
    expect(detail.dailyUsage.at(-1).tokens).toBeGreaterThan(92_000);
    expect(detail.lastActiveAt).toEqual(expect.any(String));
    expect((await api.request('GET', '/api/admin/token-stats/user/00000000-0000-4000-8000-000000000000', { token: admin.token })).status).toBe(404);
  });
});

describe('GET /api/admin/users', () => {
  it('finds users by email, level and sort, in pages', async () => {
    const byEmail = await api.request('GET', '/api/admin/users?query=stats9', { token: admin.token });
    expect(byEmail.body.items.map((user: { email: string }) => user.email.slice(0, 7)).sort()).toEqual(['stats92', 'stats97']);
    const critical = await api.request('GET', '/api/admin/users?level=CRITICAL', { token: admin.token });
    expect(critical.body).toMatchObject({ total: 1, items: [{ userId: users[4]!.id, level: 'CRITICAL' }] });
    const page = await api.request('GET', '/api/admin/users?sort=usage&page=2&pageSize=2', { token: admin.token });
    expect(page.body).toMatchObject({ total: 6, page: 2, pageSize: 2 });
    expect(page.body.items[0].usedTokens).toBeGreaterThanOrEqual(page.body.items[1].usedTokens);
    expect((await api.request('GET', '/api/admin/users?query=%25', { token: admin.token })).body.total).toBe(0);
    expect((await api.request('GET', '/api/admin/users?sort=password', { token: admin.token })).status).toBe(400);
  });
});

describe('GET /api/admin/ledger/verify', () => {
  it('passes on sound books and names an account changed behind the ledger', async () => {
    const sound = await api.request('GET', '/api/admin/ledger/verify', { token: admin.token });
    expect(sound.body).toMatchObject({ ok: true, accounts: [], expiredOpenHolds: 0, accountsChecked: 6 });
    const victim = await api.signUp();
    await api.database.db.execute(sql`update token_accounts set purchased_tokens = purchased_tokens + 7 where user_id = ${victim.id}`);
    const broken = await api.request('GET', '/api/admin/ledger/verify', { token: admin.token });
    expect(broken.body.ok).toBe(false);
    expect(broken.body.accounts).toEqual([{ userId: victim.id, problems: expect.arrayContaining(['purchased: balance 7 ≠ Σ ledger 0']) }]);
    await api.database.db.execute(sql`update token_accounts set purchased_tokens = purchased_tokens - 7 where user_id = ${victim.id}`);
  });
});

describe('GET /api/admin/token-stats/export.csv', () => {
  it('streams the top users or every account as CSV, with formulas defused', async () => {
    const sneaky = await api.signUp('=cmd');
    const top = await api.request('GET', '/api/admin/token-stats/export.csv', { token: admin.token });
    expect(top.headers.get('content-type')).toContain('text/csv');
    const topLines = String(top.body).trim().split('\n');
    expect(topLines[0]!.replace(/^\uFEFF/, '')).toBe('userId,email,usedTokens,usagePercent,purchasedTokens,level,lastActiveAt');
    expect(topLines).toHaveLength(1 + 5);
    const all = await api.request('GET', '/api/admin/token-stats/export.csv?scope=all', { token: admin.token });
    const allLines = String(all.body).trim().split('\n');
    expect(allLines.length).toBeGreaterThanOrEqual(1 + 8);
    expect(allLines.find((line) => line.includes(sneaky.id))).toContain(`"'=cmd`);
  });
});
