import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService } from '../auth/auth.service.js';
import { startServer } from '../bootstrap.js';
import { ManualClock } from '../common/clock.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';
import { createTestDatabase } from '../../testing/test-database.js';
import { testConfig } from '../../testing/test-config.js';
import { rowsOf, type DatabaseHandle } from './database.js';

/**
 * DATABASE_READ_URL: the admin statistics and the reports' reads run on a second pool, the
 * ledger and everything else on the primary. No physical replica here: the "replica" is another
 * database of the same schema holding other, known rows — an answer tells which one it came from.
 * In it, the user who chats on the primary is already at 105 %: a ledger that read the replica
 * would refuse the turn.
 */
let primary: DatabaseHandle;
let replica: DatabaseHandle;
let api: TestApp;
let chatter: { id: string; token: string; email: string };
let admin: { token: string };
const replicaOnly = { id: randomUUID(), email: `replica-only-${process.pid}@test.local` };

/** A person on the free plan in November 2026 with `consumed` tokens of 100,000 used, its ledger to match. */
async function seedAccount(database: DatabaseHandle, user: { id: string; email: string }, consumed: number) {
  await database.db.execute(sql`insert into users (id, email, email_canonical, password_hash, created_at) values (${user.id}, ${user.email}, ${user.email}, 'x', '2026-10-01T00:00:00Z')`);
  const debt = Math.max(0, consumed - 100_000);
  await database.db.execute(sql`insert into token_accounts (user_id, period_key, free_tokens, debt_tokens, period_capacity_tokens, period_consumed_tokens)
    values (${user.id}, '2026-11', ${100_000 - consumed + debt}, ${debt}, 100000, ${consumed})`);
  await database.db.execute(sql`insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, capacity_delta, created_at)
    values (${user.id}, 'MONTHLY_GRANT', '2026-11', 100000, 100000, 100000, '2026-11-01T00:00:00Z')`);
  await database.db.execute(sql`insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, debt_delta, consumed_delta, metadata, created_at)
    values (${user.id}, 'CONSUMPTION', '2026-11', ${consumed}, ${debt - consumed}, ${debt}, ${consumed}, '{"model":"consult-basic"}'::jsonb, '2026-11-05T05:00:00Z')`);
}

/** What the ledger and the chat would leave in a database: if the replica's never change, nothing wrote there. */
async function footprint(database: DatabaseHandle) {
  const [row] = rowsOf<Record<string, number>>(
    await database.db.execute(sql`select (select count(*) from ledger_entries)::int as entries, (select count(*) from token_holds)::int as holds,
      (select count(*) from messages)::int as messages, (select coalesce(sum(version), 0) from token_accounts)::int as versions`),
  );
  return row;
}

beforeAll(async () => {
  primary = await createTestDatabase();
  replica = await createTestDatabase();
  api = await createTestApp({}, new Date('2026-11-10T03:00:00Z'), primary, replica);
  admin = await api.signUpAdmin();
  chatter = await api.signUp('read-pool');
  // The replica: the chatter at 105 % in one turn of 105,000 tokens, and someone only it knows.
  await seedAccount(replica, chatter, 105_000);
  await seedAccount(replica, replicaOnly, 77_777);
});

afterAll(async () => {
  await api?.close();
  await replica?.close();
  await primary?.close();
});

describe('DATABASE_READ_URL: statistics and reports read the read pool', () => {
  it('answers the admin statistics from the read pool', async () => {
    const stats = await api.request('GET', '/api/admin/token-stats', { token: admin.token });
    expect(stats.status).toBe(200);
    expect(stats.body.topUsers.map((user: { email: string; usedTokens: number }) => [user.email, user.usedTokens])).toEqual([
      [chatter.email, 105_000],
      [replicaOnly.email, 77_777],
    ]);
    expect(stats.body.overview).toMatchObject({ totalUsers: 2, activeUsers: 2, totalUsedTokens: 182_777 });
    const search = await api.request('GET', '/api/admin/users?query=replica-only', { token: admin.token });
    expect(search.body.items).toEqual([expect.objectContaining({ userId: replicaOnly.id, usedTokens: 77_777 })]);
  });

  it("answers a user's report and the admins' cohort from the read pool", async () => {
    const report = await api.request('GET', '/api/reports/usage', { token: chatter.token });
    expect(report.status).toBe(200);
    expect(report.body.usage).toMatchObject({ tokens: 105_000, turns: 1 });
    const cohort = await api.request('GET', '/api/admin/reports/cohort', { token: admin.token });
    expect(cohort.body).toMatchObject({ month: '2026-11', current: true, activeUsers: 2, tokens: 182_777 });
  });

  it('keeps a metered turn, the ledger and the monthly job on the primary', async () => {
    const [replicaName] = rowsOf<{ name: string }>(await replica.db.execute(sql`select current_database() as name`));
    const before = await footprint(replica);
    const [{ startedAt }] = rowsOf<{ startedAt: string }>(await primary.db.execute(sql`select clock_timestamp()::text as "startedAt"`)) as [{ startedAt: string }];

    // The replica says this account is at 105 %: the turn is answered because the ledger reads the primary.
    const turn = await api.request('POST', '/api/chat/send', { token: chatter.token, body: { message: '읽기 전용 복제본과 무관하게' } });
    expect(turn.status, JSON.stringify(turn.body)).toBe(200);
    const usage = await api.request('GET', '/api/ai-usage', { token: chatter.token });
    expect(usage.body.level).toBe('NORMAL');
    const [charged] = rowsOf<{ count: number }>(await primary.db.execute(sql`select count(*)::int as count from ledger_entries where user_id = ${chatter.id} and kind = 'CONSUMPTION'`));
    expect(charged!.count).toBe(1);
    expect((await api.request('GET', '/api/admin/ledger/verify', { token: admin.token })).body).toMatchObject({ ok: true });

    // The monthly job writes October's reports on the primary.
    const run = await api.request('POST', '/api/admin/jobs/usage-reports/run', { token: admin.token });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    const kept = async (database: DatabaseHandle) => rowsOf<{ count: number }>(await database.db.execute(sql`select count(*)::int as count from cohort_reports where month = '2026-10'`))[0]!.count;
    expect(await kept(primary)).toBe(1);

    // On PostgreSQL, no statement ran on the replica at all since the turn began — and the same
    // look finds the statistics' statements there once they run.
    if (primary.kind === 'postgres') {
      const ranOnReplica = async () =>
        rowsOf<{ count: number }>(
          await primary.db.execute(sql`select count(*)::int as count from pg_stat_activity
            where datname = ${replicaName!.name} and (query_start >= ${startedAt}::timestamptz or backend_start >= ${startedAt}::timestamptz)`),
        )[0]!.count;
      expect(await ranOnReplica()).toBe(0);
      await api.request('DELETE', '/api/admin/token-stats/cache', { token: admin.token });
      expect((await api.request('GET', '/api/admin/token-stats', { token: admin.token })).status).toBe(200);
      expect(await ranOnReplica()).toBeGreaterThan(0);
    }
    // Nothing was written to the replica.
    expect(await kept(replica)).toBe(0);
    expect(await footprint(replica)).toEqual(before);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('DATABASE_READ_URL from the configuration', () => {
  it('opens the read pool at start and answers the statistics from it', async () => {
    const urlOf = async (database: DatabaseHandle) => {
      const [row] = rowsOf<{ name: string }>(await database.db.execute(sql`select current_database() as name`));
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${row!.name}`;
      return url.toString();
    };
    const config = testConfig({ DATABASE_URL: await urlOf(primary), DATABASE_READ_URL: await urlOf(replica), HOST: '127.0.0.1', PORT: '0' });
    const server = await startServer(config, new ManualClock(new Date('2026-11-10T03:00:00Z')));
    try {
      expect(server.readDatabase?.description).toContain((await urlOf(replica)).split('/').at(-1));
      const email = `read-pool-admin-${process.pid}@test.local`;
      await server.app.get(AuthService).ensureAdmin(email, 'admin-password-123');
      const base = server.app.getHttpServer().address() as { port: number };
      const login = await fetch(`http://127.0.0.1:${base.port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'admin-password-123' }),
      }).then((response) => response.json() as Promise<{ accessToken: string }>);
      const stats = await fetch(`http://127.0.0.1:${base.port}/api/admin/token-stats`, { headers: { authorization: `Bearer ${login.accessToken}` } }).then(
        (response) => response.json() as Promise<{ overview: { totalUsedTokens: number } }>,
      );
      expect(stats.overview.totalUsedTokens).toBe(182_777);
    } finally {
      await server.close();
    }
  });
});
