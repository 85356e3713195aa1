import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { KEEP_ALIVE_SECONDS } from './app.factory.js';

let api: TestApp;

beforeAll(async () => {
  api = await createTestApp({ BODY_LIMIT: '10kb' });
});
afterAll(async () => {
  await api?.close();
});

/**
 * Every route and who may call it. `:own` and `:other` ids are filled in per caller.
 * Expected statuses: anonymous, user, admin.
 */
const ROUTES: { method: string; path: string; body?: object; anonymous: number; user: number; admin: number; stream?: boolean }[] = [
  { method: 'GET', path: '/health', anonymous: 200, user: 200, admin: 200 },
  { method: 'POST', path: '/api/auth/login', body: { email: 'nobody@test.local', password: 'x' }, anonymous: 401, user: 401, admin: 401 },
  { method: 'GET', path: '/api/auth/me', anonymous: 401, user: 200, admin: 200 },
  { method: 'GET', path: '/api/ai-usage', anonymous: 401, user: 200, admin: 200 },
  { method: 'GET', path: '/api/ai-usage/history', anonymous: 401, user: 200, admin: 200 },
  { method: 'GET', path: '/api/ai-usage/daily', anonymous: 401, user: 200, admin: 200 },
  { method: 'GET', path: '/api/ai-usage/packages', anonymous: 401, user: 200, admin: 200 },
  { method: 'POST', path: '/api/ai-usage/purchase', body: { packageId: 'tokens-50k' }, anonymous: 401, user: 200, admin: 200 },
  { method: 'POST', path: '/api/ai-usage/test-usage', body: { userId: ':other', usagePercent: 10 }, anonymous: 401, user: 403, admin: 200 },
  { method: 'POST', path: '/api/admin/users/:other/adjustments', body: { tokens: 10, reason: 'matrix' }, anonymous: 401, user: 403, admin: 200 },
  { method: 'POST', path: '/api/chat/send', body: { message: '안녕하세요' }, anonymous: 401, user: 200, admin: 200 },
  { method: 'POST', path: '/api/chat/stream', body: { message: '안녕하세요' }, anonymous: 401, user: 200, admin: 200 },
  { method: 'POST', path: '/api/chat/estimate', body: { message: '안녕하세요' }, anonymous: 401, user: 200, admin: 200 },
  { method: 'GET', path: '/api/chat/models', anonymous: 401, user: 200, admin: 200 },
  { method: 'GET', path: '/api/chat/conversations', anonymous: 401, user: 200, admin: 200 },
  // Another user's conversation does not exist for the caller, admins included.
  { method: 'GET', path: '/api/chat/conversations/:otherConversation', anonymous: 401, user: 404, admin: 404 },
  { method: 'PATCH', path: '/api/chat/conversations/:otherConversation', body: { title: '남의 대화' }, anonymous: 401, user: 404, admin: 404 },
  { method: 'DELETE', path: '/api/chat/conversations/:otherConversation', anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/notifications', anonymous: 401, user: 200, admin: 200 },
  { method: 'GET', path: '/api/notifications/stream', anonymous: 401, user: 200, admin: 200, stream: true },
  { method: 'PATCH', path: '/api/notifications/:otherNotification/read', anonymous: 401, user: 404, admin: 404 },
  { method: 'POST', path: '/api/notifications/read-all', anonymous: 401, user: 200, admin: 200 },
  { method: 'POST', path: '/api/admin/jobs/usage-sweep/run', anonymous: 401, user: 403, admin: 200 },
  { method: 'GET', path: '/api/admin/token-stats', anonymous: 401, user: 403, admin: 200 },
  { method: 'GET', path: '/api/admin/token-stats/user/:other', anonymous: 401, user: 403, admin: 200 },
  { method: 'DELETE', path: '/api/admin/token-stats/cache', anonymous: 401, user: 403, admin: 200 },
  { method: 'GET', path: '/api/admin/token-stats/export.csv', anonymous: 401, user: 403, admin: 200 },
  { method: 'GET', path: '/api/admin/users', anonymous: 401, user: 403, admin: 200 },
  { method: 'GET', path: '/api/admin/ledger/verify', anonymous: 401, user: 403, admin: 200 },
  { method: 'GET', path: '/api/payments/orders', anonymous: 401, user: 200, admin: 200 },
  // Another user's order and subscription do not exist for the caller, admins included.
  { method: 'GET', path: '/api/payments/orders/:otherOrder', anonymous: 401, user: 404, admin: 404 },
  { method: 'POST', path: '/api/payments/orders/:otherOrder/confirm', body: {}, anonymous: 401, user: 404, admin: 404 },
  { method: 'POST', path: '/api/payments/orders/:otherOrder/abandon', body: {}, anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/payments/products', anonymous: 401, user: 200, admin: 200 },
  { method: 'POST', path: '/api/payments/subscriptions', body: { productId: 'monthly-test' }, anonymous: 401, user: 200, admin: 200 },
  { method: 'GET', path: '/api/payments/subscriptions', anonymous: 401, user: 200, admin: 200 },
  { method: 'POST', path: '/api/payments/subscriptions/:otherSubscription/cancel', anonymous: 401, user: 404, admin: 404 },
  // Public, but only the configured provider's (none with the instant provider).
  { method: 'POST', path: '/api/payments/webhooks/toss', body: {}, anonymous: 404, user: 404, admin: 404 },
  { method: 'GET', path: '/api/admin/users/:other/orders', anonymous: 401, user: 403, admin: 200 },
  { method: 'POST', path: '/api/admin/orders/:otherOrder/refunds', body: { tokens: 1_000, reason: 'matrix refund' }, anonymous: 401, user: 403, admin: 200 },
  { method: 'GET', path: '/api/plans', anonymous: 401, user: 200, admin: 200 },
  { method: 'POST', path: '/api/plans/choose', body: { planId: 'free' }, anonymous: 401, user: 200, admin: 200 },
  { method: 'POST', path: '/api/plans/subscribe', body: { planId: 'plus' }, anonymous: 401, user: 200, admin: 200 },
  { method: 'GET', path: '/api/admin/plans', anonymous: 401, user: 403, admin: 200 },
  {
    method: 'POST',
    path: '/api/admin/plans',
    body: { id: 'matrix', name: { ko: '매트릭스', en: 'Matrix' }, monthlyTokens: 1, models: null, completionLimit: 1, turnsPerMinute: 1, concurrentTurns: 1, priceKrw: 0, forSale: false },
    anonymous: 401,
    user: 403,
    admin: 201,
  },
  { method: 'PATCH', path: '/api/admin/plans/matrix', body: { monthlyTokens: 2 }, anonymous: 401, user: 403, admin: 200 },
  { method: 'POST', path: '/api/admin/plans/matrix/retire', anonymous: 401, user: 403, admin: 200 },
  { method: 'PUT', path: '/api/admin/users/:other/plan', body: { planId: 'plus' }, anonymous: 401, user: 403, admin: 200 },
  { method: 'PUT', path: '/api/admin/organizations/:otherOrganization/plan', body: { planId: 'plus' }, anonymous: 401, user: 403, admin: 200 },
  { method: 'GET', path: '/api/admin/organizations', anonymous: 401, user: 403, admin: 200 },
  { method: 'GET', path: '/api/admin/organizations/:otherOrganization', anonymous: 401, user: 403, admin: 200 },
  { method: 'POST', path: '/api/organizations', body: { name: '매트릭스 조직' }, anonymous: 401, user: 201, admin: 201 },
  { method: 'GET', path: '/api/organizations', anonymous: 401, user: 200, admin: 200 },
  { method: 'POST', path: '/api/organizations/invitations/accept', body: { token: 'A'.repeat(32) }, anonymous: 401, user: 410, admin: 410 },
  // Another user's organization does not exist for the caller, admins of the service included.
  { method: 'GET', path: '/api/organizations/packages', anonymous: 401, user: 200, admin: 200 },
  { method: 'GET', path: '/api/organizations/:otherOrganization/orders', anonymous: 401, user: 404, admin: 404 },
  // Another organization's pool: not theirs to buy for.
  { method: 'POST', path: '/api/organizations/:otherOrganization/purchase', body: { packageId: 'org-tokens-1m' }, anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/organizations/:otherOrganization', anonymous: 401, user: 404, admin: 404 },
  { method: 'PATCH', path: '/api/organizations/:otherOrganization', body: { name: '남의 조직' }, anonymous: 401, user: 404, admin: 404 },
  { method: 'POST', path: '/api/organizations/:otherOrganization/invitations', body: { role: 'MEMBER' }, anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/organizations/:otherOrganization/invitations', anonymous: 401, user: 404, admin: 404 },
  { method: 'DELETE', path: '/api/organizations/:otherOrganization/invitations/:otherInvitation', anonymous: 401, user: 404, admin: 404 },
  { method: 'PATCH', path: '/api/organizations/:otherOrganization/members/:other', body: { role: 'MEMBER' }, anonymous: 401, user: 404, admin: 404 },
  { method: 'DELETE', path: '/api/organizations/:otherOrganization/members/:other', anonymous: 401, user: 404, admin: 404 },
  { method: 'PUT', path: '/api/organizations/:otherOrganization/members/:other/limit', body: { monthlyLimitTokens: 1_000 }, anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/organizations/:otherOrganization/usage', anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/organizations/:otherOrganization/ledger', anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/organizations/:otherOrganization/ledger.csv', anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/organizations/:otherOrganization/members/:other/daily', anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/organizations/:otherOrganization/members/:other/history', anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/api-keys', anonymous: 401, user: 200, admin: 200 },
  { method: 'POST', path: '/api/api-keys', body: { name: 'matrix' }, anonymous: 401, user: 201, admin: 201 },
  // Another user's key does not exist for the caller; neither do another organization's keys.
  { method: 'DELETE', path: '/api/api-keys/:otherKey', anonymous: 401, user: 404, admin: 404 },
  { method: 'PATCH', path: '/api/api-keys/:otherKey', body: { monthlyBudgetTokens: 1 }, anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/api-keys/:otherKey/usage', anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/organizations/:otherOrganization/api-keys', anonymous: 401, user: 404, admin: 404 },
  { method: 'POST', path: '/api/organizations/:otherOrganization/api-keys', body: { name: 'matrix' }, anonymous: 401, user: 404, admin: 404 },
  // An API key's route: a session is not a key.
  { method: 'POST', path: '/api/auth/password', body: { currentPassword: 'not-the-password', newPassword: 'Silent-harbor-7315' }, anonymous: 401, user: 400, admin: 400 },
  // The same answer whether the address has an account or not, for anyone.
  { method: 'POST', path: '/api/auth/password-reset', body: { email: 'nobody@example.com' }, anonymous: 202, user: 202, admin: 202 },
  { method: 'POST', path: '/api/auth/password-reset/confirm', body: { token: 'A'.repeat(43), newPassword: 'Silent-harbor-7315' }, anonymous: 400, user: 400, admin: 400 },
  { method: 'POST', path: '/api/auth/email/verify', body: { token: 'A'.repeat(43) }, anonymous: 400, user: 400, admin: 400 },
  { method: 'POST', path: '/api/auth/email/verification', anonymous: 401, user: 202, admin: 202 },
  { method: 'PATCH', path: '/api/auth/me', body: { locale: 'en' }, anonymous: 401, user: 200, admin: 200 },
  { method: 'POST', path: '/api/admin/users/:other/suspend', anonymous: 401, user: 403, admin: 200 },
  { method: 'POST', path: '/api/admin/users/:other/reactivate', anonymous: 401, user: 403, admin: 200 },
  { method: 'GET', path: '/api/account/export', anonymous: 401, user: 200, admin: 200 },
  { method: 'GET', path: '/api/account/export/ledger.csv', anonymous: 401, user: 200, admin: 200 },
  { method: 'POST', path: '/api/account/delete', body: { password: 'not-the-password' }, anonymous: 401, user: 400, admin: 400 },
  { method: 'POST', path: '/api/chat/conversations/:otherConversation/restore', anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/reports/usage', anonymous: 401, user: 200, admin: 200 },
  { method: 'GET', path: '/api/reports/usage.csv', anonymous: 401, user: 200, admin: 200 },
  { method: 'GET', path: '/api/reports/organizations/:otherOrganization/members/:other', anonymous: 401, user: 404, admin: 404 },
  { method: 'GET', path: '/api/admin/reports/cohort', anonymous: 401, user: 403, admin: 200 },
  { method: 'GET', path: '/api/admin/reports/cohort.csv', anonymous: 401, user: 403, admin: 200 },
  { method: 'GET', path: '/v1/models', anonymous: 401, user: 401, admin: 401 },
  { method: 'GET', path: '/v1/models/consult-basic', anonymous: 401, user: 401, admin: 401 },
  { method: 'POST', path: '/v1/chat/completions', body: { model: 'consult-basic', messages: [{ role: 'user', content: 'hi' }] }, anonymous: 401, user: 401, admin: 401 },
];

/** The status of a long-lived stream, without waiting for it to end. */
async function openStream(path: string, token: string): Promise<{ status: number }> {
  const controller = new AbortController();
  const response = await fetch(api.baseUrl + path, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  controller.abort();
  return { status: response.status };
}

describe('authorization on every endpoint', () => {
  it('gives each caller exactly the expected status', async () => {
    const user = await api.signUp();
    const other = await api.signUp();
    const admin = await api.signUpAdmin();
    const otherTurn = await api.request('POST', '/api/chat/send', { token: other.token, body: { message: '내 대화' } });
    await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId: other.id, usagePercent: 91 } });
    const otherNotification = (await api.request('GET', '/api/notifications', { token: other.token })).body.items[0].id as string;
    const otherOrder = (await api.request('POST', '/api/ai-usage/purchase', { token: other.token, body: { packageId: 'tokens-50k' }, headers: { 'idempotency-key': 'other-order' } })).body.order.id as string;
    await api.request('POST', '/api/payments/subscriptions', { token: other.token, body: { productId: 'monthly-test' }, headers: { 'idempotency-key': 'other-subscription' } });
    const otherSubscription = (await api.request('GET', '/api/payments/subscriptions', { token: other.token })).body[0].id as string;
    const otherOrganization = (await api.request('POST', '/api/organizations', { token: other.token, body: { name: '다른 사람의 조직' } })).body.id as string;
    const otherInvitation = (await api.request('POST', `/api/organizations/${otherOrganization}/invitations`, { token: other.token, body: { role: 'MEMBER' } })).body.id as string;
    const otherKey = (await api.request('POST', '/api/api-keys', { token: other.token, body: { name: 'other' } })).body.id as string;
    const failures: string[] = [];
    for (const route of ROUTES) {
      for (const [caller, token, expected] of [
        ['anonymous', undefined, route.anonymous],
        ['user', user.token, route.user],
        ['admin', admin.token, route.admin],
      ] as const) {
        const fill = (text: string) =>
          text
            .replaceAll(':otherConversation', otherTurn.body.conversationId)
            .replaceAll(':otherNotification', otherNotification)
            .replaceAll(':otherOrder', otherOrder)
            .replaceAll(':otherSubscription', otherSubscription)
            .replaceAll(':otherOrganization', otherOrganization)
            .replaceAll(':otherInvitation', otherInvitation)
            .replaceAll(':otherKey', otherKey)
            .replaceAll(':other', other.id);
        const body = route.body ? JSON.parse(fill(JSON.stringify(route.body))) : undefined;
        const response = route.stream && token ? await openStream(fill(route.path), token) : await api.request(route.method, fill(route.path), { token, body, headers: { 'idempotency-key': `matrix-${caller}` } });
        if (response.status !== expected) failures.push(`${caller} ${route.method} ${route.path}: ${response.status} ≠ ${expected}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('covers every route the application maps', async () => {
    const document = await api.request('GET', '/api/docs-json');
    const documented = Object.entries(document.body.paths as Record<string, object>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const covered = new Set(
      ROUTES.map(
        (route) =>
          `${route.method} ${route.path
            .replace(':otherConversation', ':id')
            .replace(':otherNotification', ':id')
            .replace(':otherOrder', ':orderId')
            .replace(':otherSubscription', ':subscriptionId')
            .replace(':otherOrganization', ':organizationId')
            .replace(':otherInvitation', ':invitationId')
            .replace(':otherKey', ':keyId')
            .replace(':other', ':userId')
            .replace('/jobs/usage-sweep/', '/jobs/:name/')
            .replace('/webhooks/toss', '/webhooks/:provider')
            .replace('/plans/matrix', '/plans/:planId')
            .replace('/v1/models/consult-basic', '/v1/models/:model')}`,
      ),
    );
    const missing = documented.filter((route) => !covered.has(route) && route !== 'POST /api/auth/register');
    expect(missing).toEqual([]);
  });
});

describe('error bodies', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const response = await api.request('GET', '/api/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ code: 'NOT_FOUND', message: '요청한 항목을 찾을 수 없습니다.' });
  });

  it('answers malformed JSON with 400 VALIDATION_FAILED', async () => {
    const response = await api.request('POST', '/api/auth/login', { rawBody: '{"email": "a@b.c", "password": ' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(response.body)).not.toMatch(/at \w+ \(|node_modules|SyntaxError/);
  });

  it('refuses bodies over the limit with 413', async () => {
    const response = await api.request('POST', '/api/auth/login', { body: { email: 'a@b.c', password: 'x'.repeat(20_000) } });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a body of the wrong shape', async () => {
    for (const rawBody of ['[]', '"text"', '42', 'null']) {
      const response = await api.request('POST', '/api/auth/login', { rawBody });
      expect(response.status, rawBody).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('HTTP basics', () => {
  it('reports the database and the cache in /health', async () => {
    const response = await api.request('GET', '/health');
    expect(response.body).toMatchObject({ status: 'ok', database: { status: 'up' }, cache: { status: 'up' } });
  });

  it('sends security headers', async () => {
    const response = await api.request('GET', '/health');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('content-security-policy')).toBeTruthy();
  });

  it('keeps idle connections longer than a proxy does, so a reused connection is never reset', async () => {
    const response = await api.request('GET', '/health');
    expect(response.headers.get('keep-alive')).toBe(`timeout=${KEEP_ALIVE_SECONDS}`);
    expect(KEEP_ALIVE_SECONDS).toBeGreaterThan(60);
  });

  it('serves Swagger UI and a document with every DTO', async () => {
    const ui = await api.request('GET', '/api/docs');
    expect(ui.status).toBe(200);
    expect(String(ui.body)).toContain('swagger-ui');
    const document = (await api.request('GET', '/api/docs-json')).body;
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['RegisterDto', 'LoginDto', 'SessionView', 'UsageView', 'LedgerPageView', 'PurchaseDto', 'CheckoutResultView', 'OrderView', 'RefundDto', 'TestUsageDto', 'AdjustmentDto']),
    );
  });
});
