import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKey, paymentHarness } from '../../testing/payment-harness.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';
import { ledgerEntries, payments } from '../database/schema.js';

// Bulk tokens for an organization's pool: bought by its owners and admins (the instant provider
// pays at once), granted to the pool — never to the buyer — and refunded from the pool.
let api: TestApp;
let harness: ReturnType<typeof paymentHarness>;
let admin: { id: string; token: string };

beforeAll(async () => {
  api = await createTestApp();
  harness = paymentHarness(api);
  admin = await api.signUpAdmin();
});
afterAll(async () => {
  await api?.close();
});

type User = { id: string; token: string; email: string };

async function organizationWith(owner: User, members: { user: User; role: 'ADMIN' | 'MEMBER' }[]): Promise<string> {
  const id = await api.createOrganization(owner);
  for (const { user, role } of members) await api.joinOrganization(owner, id, { role, user });
  return id;
}

const buy = (user: User, organizationId: string, packageId = 'org-tokens-1m', headers = idempotencyKey()) =>
  api.request('POST', `/api/organizations/${organizationId}/purchase`, { token: user.token, body: { packageId }, headers });
const pool = async (user: User, organizationId: string) => (await api.request('GET', `/api/organizations/${organizationId}/usage`, { token: user.token })).body.pool;
const own = async (user: User) => (await api.request('GET', '/api/ai-usage', { token: user.token })).body;

describe('bulk tokens for an organization', () => {
  it('lists the bulk packages, each cheaper per token than the personal ones', async () => {
    const user = await api.signUp('org-catalog');
    const packages = (await api.request('GET', '/api/organizations/packages', { token: user.token })).body as { id: string; tokens: number; price: number; pricePer1kTokens: number }[];
    expect(packages.map((item) => [item.id, item.tokens, item.price])).toEqual([
      ['org-tokens-1m', 1_000_000, 75_000],
      ['org-tokens-10m', 10_000_000, 650_000],
    ]);
    const personal = (await api.request('GET', '/api/ai-usage/packages', { token: user.token })).body as { pricePer1kTokens: number }[];
    const cheapestPersonal = Math.min(...personal.map((item) => item.pricePer1kTokens));
    for (const item of packages) expect(item.pricePer1kTokens).toBeLessThan(cheapestPersonal);
  });

  it('goes to the pool, not to the buyer; an organization admin may buy too; once per Idempotency-Key', async () => {
    const owner = await api.signUp('org-buyer');
    const orgAdmin = await api.signUp('org-admin-buyer');
    const id = await organizationWith(owner, [{ user: orgAdmin, role: 'ADMIN' }]);
    const key = idempotencyKey();
    const [first, again] = await Promise.all([buy(owner, id, 'org-tokens-1m', key), buy(owner, id, 'org-tokens-1m', key)]);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(again.body.order.id).toBe(first.body.order.id);
    expect(first.body.order).toMatchObject({ status: 'PAID', organizationId: id, tokens: 1_000_000, amount: 75_000 });
    // A second later (the test clock stands still otherwise: newest first needs distinct times).
    api.clock.advance(1_000);
    expect((await buy(orgAdmin, id, 'org-tokens-10m')).body.order).toMatchObject({ status: 'PAID', organizationId: id });

    expect(await pool(owner, id)).toMatchObject({ purchasedTokens: 11_000_000 });
    expect((await own(owner)).purchasedTokens).toBe(0);
    expect((await own(orgAdmin)).purchasedTokens).toBe(0);
    const grants = await api.database.db.select().from(ledgerEntries).where(and(eq(ledgerEntries.userId, id), eq(ledgerEntries.kind, 'PURCHASE')));
    expect(grants.map((entry) => entry.amountTokens).sort((a, b) => a - b)).toEqual([1_000_000, 10_000_000]);
    // The organization's purchases, whoever of its managers bought them; not for anyone else.
    const theirs = (await api.request('GET', `/api/organizations/${id}/orders`, { token: orgAdmin.token })).body as { tokens: number; organizationId: string }[];
    expect(theirs.map((order) => order.tokens)).toEqual([10_000_000, 1_000_000]);
    expect((await api.request('GET', `/api/organizations/${id}/orders`, { token: (await api.signUp('org-outsider')).token })).status).toBe(404);
    // The buyer's order list shows it, for the organization.
    const orders = (await api.request('GET', '/api/payments/orders', { token: owner.token })).body as { organizationId: string | null }[];
    expect(orders).toEqual([expect.objectContaining({ organizationId: id })]);
    expect((await harness.verify(admin)).ok).toBe(true);
  });

  it('a refund takes the unspent tokens back from the pool', async () => {
    const owner = await api.signUp('org-refund');
    const id = await organizationWith(owner, []);
    const order = (await buy(owner, id)).body.order as { id: string };
    const refund = await api.request('POST', `/api/admin/orders/${order.id}/refunds`, { token: admin.token, body: { tokens: 400_000, reason: '고객 요청 환불' }, headers: idempotencyKey() });
    expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    expect(refund.body.refund).toMatchObject({ tokens: 400_000, amount: 30_000 });
    expect(await pool(owner, id)).toMatchObject({ purchasedTokens: 600_000 });
    expect((await own(owner)).purchasedTokens).toBe(0);
    expect((await harness.verify(admin)).ok).toBe(true);
  });

  it('a personal order and a bulk order of the same buyer are refunded each from its own account', async () => {
    const owner = await api.signUp('org-two-accounts');
    const id = await organizationWith(owner, []);
    const personal = (await api.request('POST', '/api/ai-usage/purchase', { token: owner.token, body: { packageId: 'tokens-1m' }, headers: idempotencyKey() })).body.order as { id: string };
    const bulk = (await buy(owner, id, 'org-tokens-10m')).body.order as { id: string };
    // The pool's later order does not hold back the personal order's tokens (nor the other way round).
    const refundAll = (orderId: string) => api.request('POST', `/api/admin/orders/${orderId}/refunds`, { token: admin.token, body: { reason: '고객 요청 환불' }, headers: idempotencyKey() });
    expect((await refundAll(personal.id)).body.refund).toMatchObject({ tokens: 1_000_000 });
    expect((await own(owner)).purchasedTokens).toBe(0);
    expect(await pool(owner, id)).toMatchObject({ purchasedTokens: 10_000_000 });
    expect((await refundAll(bulk.id)).body.refund).toMatchObject({ tokens: 10_000_000 });
    expect(await pool(owner, id)).toMatchObject({ purchasedTokens: 0 });
    expect((await harness.verify(admin)).ok).toBe(true);
  });

  it('the books check that each grant is on the account its order pays for', async () => {
    const owner = await api.signUp('org-books');
    const id = await organizationWith(owner, []);
    const order = (await buy(owner, id)).body.order as { id: string };
    expect((await harness.verify(admin)).ok).toBe(true);
    // Break it on purpose: the order says the buyer's own account, the grant is on the pool.
    await api.database.db.update(payments).set({ organizationId: null }).where(eq(payments.id, order.id));
    const broken = await harness.verify(admin);
    expect(broken.ok).toBe(false);
    expect(broken.payments).toEqual([{ orderId: order.id, problem: 'grant on another account' }]);
    await api.database.db.update(payments).set({ organizationId: id }).where(eq(payments.id, order.id));
    expect((await harness.verify(admin)).ok).toBe(true);
  });

  it('refuses plain members (403), strangers (404), personal packages, and no Idempotency-Key', async () => {
    const owner = await api.signUp('org-guard');
    const member = await api.signUp('org-member');
    const stranger = await api.signUp('org-stranger');
    const id = await organizationWith(owner, [{ user: member, role: 'MEMBER' }]);
    expect((await buy(member, id)).status).toBe(403);
    expect((await api.request('GET', `/api/organizations/${id}/orders`, { token: member.token })).status).toBe(403);
    expect((await buy(stranger, id)).status).toBe(404);
    expect((await buy(owner, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await buy(owner, id, 'tokens-50k')).body.code).toBe('VALIDATION_FAILED');
    expect((await buy(owner, id, 'org-tokens-1m', {})).body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    // A bulk package is never a personal purchase.
    const personal = await api.request('POST', '/api/ai-usage/purchase', { token: owner.token, body: { packageId: 'org-tokens-1m' }, headers: idempotencyKey() });
    expect(personal.body.code).toBe('VALIDATION_FAILED');
    expect(await pool(owner, id)).toMatchObject({ purchasedTokens: 0 });
  });
});
