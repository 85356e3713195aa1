import { and, eq } from 'drizzle-orm';
import { ledgerEntries, payments } from '../src/database/schema.js';
import type { TestApp } from './test-app.js';

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
