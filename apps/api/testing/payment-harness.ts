import { and, eq } from 'drizzle-orm';
import { ledgerEntries, payments } from '../src/database/schema.js';
import type { FakeStripeServer } from './fake-stripe-server.js';
import type { FakeTossServer } from './fake-toss-server.js';
import { createTestApp, type TestApp } from './test-app.js';

/** Reads of orders and grants straight from the test database, for assertions the API does not expose. */
export function paymentHarness(api: TestApp) {
  const db = api.database.db;
  return {
    /** PURCHASE entries of an order: exactly one once it is paid. */
    async grants(orderId: string): Promise<number> {
      const rows = await db
        .select({ id: ledgerEntries.id })
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.paymentId, orderId), eq(ledgerEntries.kind, 'PURCHASE')));
      return rows.length;
    },
    async order(orderId: string) {
      const [row] = await db.select().from(payments).where(eq(payments.id, orderId));
      return row!;
    },
    /** Every order of a user (first months, renewals, purchases). */
    async orderCount(user: { id: string }): Promise<number> {
      return (await db.select({ id: payments.id }).from(payments).where(eq(payments.userId, user.id))).length;
    },
    async purchasedTokens(user: { token: string }): Promise<number> {
      return (await api.request('GET', '/api/ai-usage', { token: user.token })).body.purchasedTokens as number;
    },
    async runJob(admin: { token: string }, name: string) {
      const response = await api.request('POST', `/api/admin/jobs/${name}/run`, { token: admin.token });
      if (response.status !== 200) throw new Error(`job ${name}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body.result as Record<string, number>;
    },
    async verify(admin: { token: string }) {
      return (await api.request('GET', '/api/admin/ledger/verify', { token: admin.token })).body as { ok: boolean; payments: unknown[] };
    },
  };
}

let keys = 0;
/** A fresh Idempotency-Key header. */
export function idempotencyKey(): Record<string, string> {
  keys += 1;
  return { 'idempotency-key': `key-${process.pid}-${keys}-${Date.now()}` };
}

/** A test app paying through a fake Toss Payments on a local port. */
export async function tossApp(toss: FakeTossServer, overrides: Record<string, string> = {}, shared?: TestApp): Promise<TestApp> {
  const env = {
    PAYMENT_PROVIDER: 'toss',
    TOSS_CLIENT_KEY: toss.clientKey,
    TOSS_SECRET_KEY: toss.secretKey,
    TOSS_API_URL: toss.url,
    TOSS_SDK_URL: `${toss.url}/v2/standard`,
    PAYMENT_TIMEOUT_MS: '500',
    ...overrides,
  };
  return shared ? createTestApp(env, shared.clock.now(), shared.database) : createTestApp(env);
}

export const STRIPE_TEST_KEYS = { secretKey: 'sk_test_consult_on_fake', webhookSecret: 'whsec_consult_on_fake' };

/** A test app paying through a fake Stripe on a local port (the SDK pointed at it); the fake's webhooks go to the app. */
export async function stripeApp(stripe: FakeStripeServer, overrides: Record<string, string> = {}): Promise<TestApp> {
  const api = await createTestApp({
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: STRIPE_TEST_KEYS.secretKey,
    STRIPE_WEBHOOK_SECRET: STRIPE_TEST_KEYS.webhookSecret,
    STRIPE_API_URL: stripe.url,
    PAYMENT_TIMEOUT_MS: '500',
    ...overrides,
  });
  stripe.webhookUrl = `${api.baseUrl}/api/payments/webhooks/stripe`;
  return api;
}
