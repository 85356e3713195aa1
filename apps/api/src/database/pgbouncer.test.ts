import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerRepository } from '../quota/ledger/ledger.repository.js';
import { freePort } from '../../testing/built-api.js';
import { PrivatePgbouncer } from '../../testing/private-pgbouncer.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';
import { createEmptyTestDatabase } from '../../testing/test-database.js';
import { openDatabase, type DatabaseHandle } from './database.js';
import { ledgerEntries } from './schema.js';

/**
 * The API behind PgBouncer in transaction mode (a server connection per transaction, not per
 * client): PostgreSQL only, and only where PgBouncer is installed (CI installs it and checks
 * that this ran).
 */
const directUrl = process.env.DATABASE_URL;
const runs = !!directUrl && PrivatePgbouncer.binary() !== null;

describe.skipIf(!runs)('behind PgBouncer in transaction mode', () => {
  let scratch: Awaited<ReturnType<typeof createEmptyTestDatabase>>;
  let bouncer: PrivatePgbouncer;
  let migrationUrl: string;
  let pooled: DatabaseHandle;
  let api: TestApp;

  beforeAll(async () => {
    scratch = await createEmptyTestDatabase();
    migrationUrl = scratch.url;
    const direct = new URL(scratch.url);
    const server = { host: direct.hostname, port: Number(direct.port || 5432), dbname: direct.pathname.slice(1) };
    // `pooled`: 4 server connections for a pool of 20 clients; `single`: one server connection, so
    // that two clients' statements meet on it for certain.
    bouncer = new PrivatePgbouncer(await freePort(), { pooled: { ...server, poolSize: 4 }, single: { ...server, poolSize: 1 } });
    await bouncer.start();
    pooled = await openDatabase({ url: bouncer.url('pooled'), migrationUrl, poolSize: 20, preparedStatements: false });
    api = await createTestApp({}, undefined, pooled);
  });

  afterAll(async () => {
    await api?.close();
    await pooled?.close();
    await bouncer?.stop();
    await scratch?.drop();
  });

  it('with DATABASE_PREPARED_STATEMENTS=false, 240 concurrent metered turns (personal and in a pool) are each charged once and the books balance', async () => {
    const before = await bouncer.stats('pooled');
    const people = await Promise.all(Array.from({ length: 12 }, () => api.signUp('bouncer')));
    const owner = await api.signUp('bouncer-owner');
    const organizationId = await api.createOrganization(owner, '풀 조직');
    const members = [];
    for (let index = 0; index < 6; index += 1) members.push(await api.joinOrganization(owner, organizationId, { prefix: 'bouncer-member' }));

    // Personal turns take the one-statement path (named statements ledger_find_account,
    // ledger_apply_cas_…, chat_record_turn); the pool's go through its batches
    // (ledger_holds_and_members_of_locked_pool, ledger_apply_many_…).
    const turns = Array.from({ length: 240 }, (_, index) =>
      index % 2 === 0
        ? api.request('POST', '/api/chat/send', { token: people[index % people.length]!.token, body: { message: `풀러 뒤에서 ${index}` } })
        : api.request('POST', '/api/chat/send', { token: members[index % members.length]!.token, body: { message: `조직 풀 ${index}`, organizationId } }),
    );
    const statuses = (await Promise.all(turns)).map((response) => response.status);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    const [charged] = await pooled.db.select({ count: count() }).from(ledgerEntries).where(eq(ledgerEntries.kind, 'CONSUMPTION'));
    expect(charged!.count).toBe(240);
    const verify = await api.request('GET', '/api/admin/ledger/verify', { token: (await api.signUpAdmin()).token });
    expect(verify.body).toMatchObject({ ok: true, accounts: [], members: [] });

    // It all went through PgBouncer: its transactions counted them, and 20 clients shared at most 4 server connections.
    const after = await bouncer.stats('pooled');
    expect(after.transactions - before.transactions).toBeGreaterThanOrEqual(240 * 2);
    expect(await bouncer.clientConnections('pooled')).toBeGreaterThan(4);
    expect(await bouncer.serverConnections('pooled')).toBeLessThanOrEqual(4);
    console.log(`behind PgBouncer ran: ${after.transactions - before.transactions} transactions, ${after.queries - before.queries} statements through it`);
  });

  it('with prepared statements on, a repository call meets the name another client prepared (why the setting exists); off, the same calls pass', async () => {
    const userId = (await api.signUp('bouncer-named')).id;
    const named = await openDatabase({ url: bouncer.url('single'), migrationUrl, poolSize: 8 });
    const unnamed = await openDatabase({ url: bouncer.url('single'), migrationUrl, poolSize: 8, preparedStatements: false });
    try {
      // Eight calls at once open eight clients; each prepares `ledger_find_account` on the one server connection.
      const calls = (handle: DatabaseHandle) => Promise.allSettled(Array.from({ length: 8 }, () => new LedgerRepository(handle).findAccount(userId)));
      // drizzle wraps the driver's error: PostgreSQL's message is its cause.
      const failures = (await calls(named))
        .filter((outcome) => outcome.status === 'rejected')
        .map((outcome) => String(((outcome as PromiseRejectedResult).reason as Error).cause));
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.every((message) => /prepared statement "ledger_find_account" (already exists|does not exist)/.test(message))).toBe(true);

      const outcomes = await calls(unnamed);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(8).fill('fulfilled'));
      expect(outcomes.every((outcome) => outcome.status === 'fulfilled' && outcome.value?.userId === userId)).toBe(true);
    } finally {
      await named.close();
      await unnamed.close();
    }
  });
});
