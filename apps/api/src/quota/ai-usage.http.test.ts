import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

let api: TestApp;
let admin: { id: string; token: string };

beforeAll(async () => {
  api = await createTestApp();
  admin = await api.signUpAdmin();
});
afterAll(async () => {
  await api?.close();
});

async function setUsage(userId: string, usagePercent: number) {
  const response = await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId, usagePercent } });
  expect(response.status).toBe(200);
  return response.body;
}

describe('GET /api/ai-usage', () => {
  it('shows a new user at 0 % with the whole free allowance and the next reset in Seoul', async () => {
    const user = await api.signUp();
    const response = await api.request('GET', '/api/ai-usage', { token: user.token });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      level: 'NORMAL',
      usagePercent: 0,
      usedTokens: 0,
      remainingTokens: 100_000,
      totalAvailable: 100_000,
      freeTokens: 100_000,
      purchasedTokens: 0,
      chatAllowed: true,
      showPurchaseButton: false,
      period: '2026-11',
      nextResetAt: '2026-11-30T15:00:00.000Z',
      timeZone: 'Asia/Seoul',
      message: null,
      thresholds: { notice: 80, warning: 90, critical: 95, block: 105 },
    });
  });

  it.each([
    [79.99, 'NORMAL', false, true],
    [80, 'NOTICE', true, true],
    [90, 'WARNING', true, true],
    [95, 'CRITICAL', true, true],
    [104.99, 'CRITICAL', true, true],
    [105, 'BLOCKED', true, false],
  ])('at %s %% the level is %s', async (percent, level, purchaseButton, chatAllowed) => {
    const user = await api.signUp();
    const state = await setUsage(user.id, percent);
    expect(state).toMatchObject({ level, usagePercent: percent, showPurchaseButton: purchaseButton, chatAllowed });
  });

  it('warns at 90 % with a rounded message and the seed figures', async () => {
    const user = await api.signUp();
    await setUsage(user.id, 90);
    const response = await api.request('GET', '/api/ai-usage', { token: user.token });
    expect(response.body).toMatchObject({ level: 'WARNING', remainingTokens: 10_000, estimatedTurns: 11 });
    expect(response.body.message).toBe('토큰이 약 10% 남았습니다. 10,000토큰으로 약 11회 더 대화할 수 있습니다.');
    const english = await api.request('GET', '/api/ai-usage', { token: user.token, headers: { 'accept-language': 'en' } });
    expect(english.body.message).toContain('About 10% of your tokens are left');
  });

  it('explains the overage above 100 %', async () => {
    const user = await api.signUp();
    const state = await setUsage(user.id, 102);
    expect(state).toMatchObject({ level: 'CRITICAL', graceInUse: true, remainingTokens: -2_000, overageTokens: 2_000 });
    expect(state.message).toContain('초과 사용 중');
    expect(state.message).not.toMatch(/-\d/);
  });
});

describe('GET /api/ai-usage/history', () => {
  it('pages through the own ledger, newest first', async () => {
    const user = await api.signUp();
    for (let index = 0; index < 3; index += 1) {
      await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers: { 'idempotency-key': `buy-${index}` } });
    }
    const first = await api.request('GET', '/api/ai-usage/history?limit=2', { token: user.token });
    expect(first.status).toBe(200);
    expect(first.body.items.map((entry: { kind: string }) => entry.kind)).toEqual(['PURCHASE', 'PURCHASE']);
    const second = await api.request('GET', `/api/ai-usage/history?limit=2&before=${first.body.nextCursor}`, { token: user.token });
    expect(second.body.items.map((entry: { kind: string }) => entry.kind)).toEqual(['PURCHASE', 'MONTHLY_GRANT']);
    expect(second.body.items[0].id).toBeLessThan(first.body.items[1].id);
  });

  it('rejects malformed paging', async () => {
    const user = await api.signUp();
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'before=-1', 'other=1']) {
      const response = await api.request('GET', `/api/ai-usage/history?${query}`, { token: user.token });
      expect(response.status, query).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('POST /api/ai-usage/test-usage', () => {
  it('is for admins only and validates the percent', async () => {
    const user = await api.signUp();
    const asUser = await api.request('POST', '/api/ai-usage/test-usage', { token: user.token, body: { userId: user.id, usagePercent: 90 } });
    expect(asUser.status).toBe(403);
    const bad = await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId: user.id, usagePercent: -1 } });
    expect(bad.status).toBe(400);
    const unknown = await api.request('POST', '/api/ai-usage/test-usage', {
      token: admin.token,
      body: { userId: '00000000-0000-4000-8000-000000000000', usagePercent: 50 },
    });
    expect(unknown.status).toBe(404);
  });

  it('does not exist in production', async () => {
    const production = await createTestApp({ NODE_ENV: 'production', DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused', TOSS_CLIENT_KEY: 'live_ck_unused', TOSS_SECRET_KEY: 'live_sk_unused', PUBLIC_URL: 'https://consult-on.example.com' });
    try {
      const user = await production.signUpAdmin();
      const response = await production.request('POST', '/api/ai-usage/test-usage', { token: user.token, body: { userId: user.id, usagePercent: 90 } });
      expect(response.status).toBe(404);
    } finally {
      await production.close();
    }
  });
});

describe('POST /api/admin/users/:userId/adjustments', () => {
  it('grants and corrects tokens with the admin and the reason in the ledger', async () => {
    const user = await api.signUp();
    const grant = await api.request('POST', `/api/admin/users/${user.id}/adjustments`, {
      token: admin.token,
      body: { tokens: 30_000, reason: '상담 오류 보상' },
    });
    expect(grant.status).toBe(200);
    expect(grant.body).toMatchObject({ purchasedTokens: 30_000, totalAvailable: 130_000 });
    const correction = await api.request('POST', `/api/admin/users/${user.id}/adjustments`, {
      token: admin.token,
      body: { tokens: -10_000, reason: '중복 지급 정정' },
    });
    expect(correction.body).toMatchObject({ purchasedTokens: 20_000, totalAvailable: 120_000 });
    const history = await api.request('GET', '/api/ai-usage/history', { token: user.token });
    const adjustments = history.body.items.filter((entry: { kind: string }) => entry.kind === 'ADJUSTMENT');
    expect(adjustments).toHaveLength(2);
    expect(adjustments[0]).toMatchObject({ actorId: admin.id, reason: '중복 지급 정정', purchasedDelta: -10_000 });
  });

  it('refuses to remove more than the account holds, a zero amount, or a missing reason', async () => {
    const user = await api.signUp();
    const path = `/api/admin/users/${user.id}/adjustments`;
    expect((await api.request('POST', path, { token: admin.token, body: { tokens: -100_001, reason: 'too much' } })).body.code).toBe('INSUFFICIENT_TOKENS');
    expect((await api.request('POST', path, { token: admin.token, body: { tokens: 0, reason: 'nothing' } })).status).toBe(400);
    expect((await api.request('POST', path, { token: admin.token, body: { tokens: 5 } })).status).toBe(400);
    expect((await api.request('POST', path, { token: admin.token, body: { tokens: 1.5, reason: 'fraction' } })).status).toBe(400);
  });

  it('applies a repeated Idempotency-Key once', async () => {
    const user = await api.signUp();
    const path = `/api/admin/users/${user.id}/adjustments`;
    const headers = { 'idempotency-key': 'grant-1' };
    await api.request('POST', path, { token: admin.token, body: { tokens: 500, reason: 'once' }, headers });
    const again = await api.request('POST', path, { token: admin.token, body: { tokens: 500, reason: 'once' }, headers });
    expect(again.body.purchasedTokens).toBe(500);
    const conflict = await api.request('POST', path, { token: admin.token, body: { tokens: 501, reason: 'once' }, headers });
    expect(conflict.status).toBe(409);
  });
});
