import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/database/database.js';
import { appLedger } from '../testing/ledger-harness.js';
import { createTestApp, type TestApp } from '../testing/test-app.js';

let api: TestApp;

beforeAll(async () => {
  // 500 ms before midnight in Seoul on the last day of November.
  api = await createTestApp({}, new Date('2026-11-30T14:59:59.500Z'));
});
afterAll(async () => {
  await api?.close();
});

describe('the month boundary under load', () => {
  it('resets each account exactly once and charges every turn to the period it settled in', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => api.signUp('boundary')));
    const send = (index: number) => {
      const user = users[index % users.length]!;
      return api.request('POST', '/api/chat/send', { token: user.token, body: { message: `자정 ${index}` } });
    };
    const consumed = async () =>
      rowsOf<{ count: number }>(await api.database.db.execute(sql`select count(*)::int as count from ledger_entries where kind = 'CONSUMPTION'`))[0]!.count;
    const before = Array.from({ length: 60 }, (_, index) => send(index));
    // Midnight passes while the first turns are still settling and the next ones start.
    while ((await consumed()) < 20) await new Promise((resolve) => setTimeout(resolve, 5));
    api.clock.set(new Date('2026-11-30T15:00:00.000Z'));
    const turns = [...before, ...Array.from({ length: 60 }, (_, index) => send(60 + index))];
    const responses = await Promise.all(turns);
    expect(responses.every((response) => response.status === 200)).toBe(true);
    for (const user of users) await api.request('GET', '/api/ai-usage', { token: user.token });

    const grants = rowsOf<{ user_id: string; count: number }>(
      await api.database.db.execute(sql`select user_id, count(*)::int as count from ledger_entries where kind = 'MONTHLY_GRANT' and period_key = '2026-12' group by user_id`),
    );
    expect(grants).toHaveLength(users.length);
    expect(grants.every((row) => row.count === 1)).toBe(true);
    // No November charge after the December reset of the same account, no December charge before it.
    const misplaced = rowsOf<{ count: number }>(
      await api.database.db.execute(sql`
        select count(*)::int as count from ledger_entries c
        join ledger_entries g on g.user_id = c.user_id and g.kind = 'MONTHLY_GRANT' and g.period_key = '2026-12'
        where c.kind = 'CONSUMPTION' and ((c.period_key = '2026-11' and c.id > g.id) or (c.period_key = '2026-12' and c.id < g.id))`),
    );
    expect(misplaced[0]!.count).toBe(0);
    const charged = rowsOf<{ count: number }>(await api.database.db.execute(sql`select count(*)::int as count from ledger_entries where kind = 'CONSUMPTION'`));
    expect(charged[0]!.count).toBe(120);
    const byPeriod = rowsOf<{ period_key: string; count: number }>(
      await api.database.db.execute(sql`select period_key, count(*)::int as count from ledger_entries where kind = 'CONSUMPTION' group by 1 order by 1`),
    );
    expect(byPeriod.map((row) => row.period_key)).toEqual(['2026-11', '2026-12']);
    expect(await appLedger(api.app).verify()).toEqual([]);
  });
});
