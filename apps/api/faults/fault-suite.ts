/**
 * npm run test:faults — the reliability promises as figures, on PostgreSQL and Redis, with the
 * built API run as real processes. Each scenario prints what it did and what it measured; the
 * run ends with "N passed, N failed" and exits non-zero on any failure.
 */
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { DEFAULT_QUOTA_POLICY, periodOf } from '@consult-on/quota-policy';
import { log, signSession, startApi, stopApi } from '../bench/bench-support.js';
import { openDatabase, type DatabaseHandle } from '../src/database/database.js';
import { MemberUsageRepository } from '../src/quota/members/member-usage.repository.js';
import { VerificationRepository } from '../src/quota/verification/verification.repository.js';
import { FakeOpenAiServer } from '../testing/fake-openai-server.js';
import { UNCAPPED_PLANS } from '../testing/test-config.js';
import { deleteRedisKeys } from '../testing/redis-cleanup.js';
import { PrivatePgbouncer, type PgbouncerStats } from '../testing/private-pgbouncer.js';
import { PrivatePostgres, PrivateRedis } from './private-services.js';

// The suite runs on servers of its own (see private-services.ts), so that it may stop them.
const postgres = new PrivatePostgres(5_440);
const redis = new PrivateRedis(6_390);
const BASE_URL = postgres.url;
const REDIS_URL = redis.url;
const DATABASE = `consult_on_faults_${process.pid}`;
const SECRET = 'faults-secret-faults-secret-faults-secret';
const PREFIX = `consult-on-faults:${process.pid}:`;
const PORTS = [3_910, 3_911];
/** PgBouncer's port, and its server connections to the suite's database: fewer than the two instances' 2 × 10 clients. */
const PGBOUNCER_PORT = 6_440;
const PGBOUNCER_POOL_SIZE = 8;
/** The instances' application_name behind PgBouncer, to find their server connections in pg_stat_activity. */
const POOLED_APPLICATION = 'consult-on-faults-pooled';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
const checks: Check[] = [];

function check(name: string, ok: boolean, detail: string): void {
  checks.push({ name, ok, detail });
  log(`  ${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
}

async function query<T>(client: pg.Client, text: string, values: unknown[] = []): Promise<T[]> {
  return (await client.query(text, values)).rows as T[];
}

async function seedUsers(client: pg.Client, count: number, period: string): Promise<string[]> {
  const rows = await query<{ id: string }>(client, `insert into users (email, password_hash) select 'fault-' || g || '@faults.local', 'x' from generate_series(1, $1) g returning id`, [count]);
  // One user in five starts between 100 % and 104 %: the grace zone, where racing turns matter.
  await client.query(
    `insert into token_accounts (user_id, period_key, free_tokens, debt_tokens, period_capacity_tokens, period_consumed_tokens)
     select id, $1, greatest(0, 100000 - used), greatest(0, used - 100000), 100000, used
     from (select id, case when n % 5 = 0 then 100000 + (n * 37) % 5000 else 50000 end as used
           from (select id, row_number() over (order by id) as n from users where email like 'fault-%') numbered) seeded`,
    [period],
  );
  await client.query(
    `insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, capacity_delta) select user_id, 'MONTHLY_GRANT', $1, 100000, 100000, 100000 from token_accounts`,
    [period],
  );
  await client.query(
    `insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, debt_delta, consumed_delta)
     select user_id, 'TEST_USAGE', $1, period_consumed_tokens, free_tokens - 100000, debt_tokens, period_consumed_tokens from token_accounts`,
    [period],
  );
  return rows.map((row) => row.id);
}

async function send(port: number, token: string, body: unknown): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/chat/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

async function waitUntil(test: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await test()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/** Mixed load (chat, usage, admin stats) over both instances until `stop` resolves; returns every status. */
async function mixedLoad(tokens: string[], adminToken: string, stop: Promise<void>): Promise<number[]> {
  const statuses: number[] = [];
  let done = false;
  void stop.then(() => (done = true));
  let index = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (!done) {
        const i = index++;
        const port = PORTS[i % 2]!;
        const kind = i % 3;
        if (kind === 0) statuses.push(await send(port, tokens[i % tokens.length]!, { message: `장애 중 상담 ${i}` }));
        else {
          const path = kind === 1 ? '/api/ai-usage' : '/api/admin/token-stats';
          const token = kind === 1 ? tokens[i % tokens.length]! : adminToken;
          try {
            const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
            await response.arrayBuffer();
            statuses.push(response.status);
          } catch {
            statuses.push(0);
          }
        }
      }
    }),
  );
  return statuses;
}

function tally(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status || 'no answer'}: ${count}`).join(', ');
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

async function ledgerChecks(handle: DatabaseHandle, client: pg.Client, label: string): Promise<void> {
  const unbalanced = await new VerificationRepository(handle).findUnbalancedAccounts(handle.db);
  check(`${label}: Σ ledger = balances`, unbalanced.length === 0, `${unbalanced.length} accounts differ`);
  const [doubles] = await query<{ count: number }>(client, `select count(*)::int as count from (select hold_id from ledger_entries where kind = 'CONSUMPTION' group by hold_id having count(*) > 1) d`);
  check(`${label}: no double charge`, doubles!.count === 0, `${doubles!.count} holds charged more than once`);
  const [over] = await query<{ count: number; worst: string }>(
    client,
    `select count(*) filter (where period_consumed_tokens * 100 > period_capacity_tokens * 105)::int as count,
            coalesce(max(period_consumed_tokens * 100.0 / nullif(period_capacity_tokens, 0)), 0)::numeric(8,3) as worst from token_accounts`,
  );
  check(`${label}: nobody above 105.000 %`, over!.count === 0, `highest usage ${over!.worst} %`);
  const members = await new MemberUsageRepository(handle).findUnbalanced(handle.db);
  const [past] = await query<{ count: number }>(client, `select count(*)::int as count from organization_members where consumed_tokens > monthly_limit_tokens`);
  check(`${label}: members' usage = their pool's ledger, none past their limit`, members.length === 0 && past!.count === 0, `${members.length} members differ, ${past!.count} past their limit`);
}

/**
 * Three organizations of 100 members each: A with room, B whose pool starts at 104 % (one or two
 * turns from its hard limit), C whose members each have a limit of 800 tokens (about two turns).
 */
async function seedOrganizations(client: pg.Client, period: string): Promise<{ organizations: string[]; members: string[][] }> {
  const organizations: string[] = [];
  const members: string[][] = [];
  for (const [index, name] of ['A', 'B', 'C'].entries()) {
    const [organization] = await query<{ id: string }>(client, `insert into organizations (name) values ($1) returning id`, [`faults ${name}`]);
    const id = organization!.id;
    const capacity = index === 1 ? 100_000 : 100_000_000;
    const used = index === 1 ? 104_000 : 0;
    await client.query(
      `insert into token_accounts (user_id, organization_id, period_key, free_tokens, debt_tokens, period_capacity_tokens, period_consumed_tokens)
       values ($1, $1, $2, $3::bigint, $4::bigint, $5::bigint, $6::bigint)`,
      [id, period, Math.max(0, capacity - used), Math.max(0, used - capacity), capacity, used],
    );
    await client.query(`insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, capacity_delta) values ($1, 'MONTHLY_GRANT', $2, $3::bigint, $3::bigint, $3::bigint)`, [id, period, capacity]);
    if (used > 0) {
      await client.query(
        `insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, debt_delta, consumed_delta) values ($1, 'TEST_USAGE', $2, $3::bigint, $4::bigint, $5::bigint, $3::bigint)`,
        [id, period, used, -Math.min(capacity, used), Math.max(0, used - capacity)],
      );
    }
    const rows = await query<{ id: string }>(client, `insert into users (email, password_hash) select 'member-' || $1 || '-' || g || '@faults.local', 'x' from generate_series(1, 100) g returning id`, [name]);
    await client.query(
      `insert into organization_members (organization_id, user_id, role, monthly_limit_tokens, period_key) select $1, id, 'MEMBER', $2::bigint, $3 from unnest($4::uuid[]) as id`,
      [id, index === 2 ? 800 : null, period, rows.map((row) => row.id)],
    );
    organizations.push(id);
    members.push(rows.map((row) => row.id));
  }
  return { organizations, members };
}

/**
 * That the instances' traffic went through PgBouncer, from both ends: PgBouncer counted it
 * (`SHOW STATS`), served more clients than it holds server connections (transaction mode), and
 * every server connection of the instances came from it (the Unix socket) — none over TCP, as an
 * instance connected directly would be.
 */
async function pooledTrafficChecks(bouncer: PrivatePgbouncer, client: pg.Client, before: PgbouncerStats, turns: number): Promise<void> {
  const after = await bouncer.stats(DATABASE);
  const [clients, servers] = [await bouncer.clientConnections(DATABASE), await bouncer.serverConnections(DATABASE)];
  const [backends] = await query<{ socket: number; tcp: number }>(
    client,
    `select count(*) filter (where client_addr is null)::int as socket, count(*) filter (where client_addr is not null)::int as tcp
     from pg_stat_activity where datname = $1 and application_name = $2`,
    [DATABASE, POOLED_APPLICATION],
  );
  check(
    'PgBouncer: the two instances ran through it in transaction mode',
    after.transactions - before.transactions >= 2 * turns && clients > servers && servers <= PGBOUNCER_POOL_SIZE && backends!.socket > 0 && backends!.tcp === 0,
    `${after.transactions - before.transactions} transactions, ${after.queries - before.queries} statements (SHOW STATS); ${clients} clients on ${servers} server connections; ` +
      `the instances' backends: ${backends!.socket} from PgBouncer's socket, ${backends!.tcp} over TCP`,
  );
}

async function reconnect(url: string): Promise<{ handle: DatabaseHandle; client: pg.Client }> {
  const handle = await openDatabase({ url, poolSize: 2 });
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return { handle, client };
}

async function main(): Promise<void> {
  log('starting a private PostgreSQL, Redis and PgBouncer for the suite');
  postgres.start();
  await redis.start();
  // In transaction mode, in front of the suite's database through PostgreSQL's Unix socket: its
  // server connections have no client address, the instances' own TCP connections would have one.
  const bouncer = new PrivatePgbouncer(PGBOUNCER_PORT, { [DATABASE]: { host: postgres.socketDirectory, port: postgres.port, dbname: DATABASE, poolSize: PGBOUNCER_POOL_SIZE } });
  pgbouncer = bouncer;
  await bouncer.start();
  const admin = new pg.Client({ connectionString: BASE_URL });
  // The suite restarts PostgreSQL: a connection it cuts must not end the suite.
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(`drop database if exists ${DATABASE} with (force)`);
  await admin.query(`create database ${DATABASE}`);
  const target = new URL(BASE_URL);
  target.pathname = `/${DATABASE}`;
  const url = target.toString();
  const handle = await openDatabase({ url, poolSize: 2 });
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  let reconnected: { handle: DatabaseHandle; client: pg.Client } | null = null;
  const fake = await new FakeOpenAiServer().start();
  // The provider counts more prompt tokens than our tokenizer, as real ones do for Korean.
  fake.defaultBehavior = { kind: 'reply', text: '네, 말씀해 주세요. 무엇이든 도와드릴게요.', promptTokens: 400, completionTokens: 12, chunkDelayMs: 2 };
  const apis: (ChildProcess | null)[] = [null, null];
  children = apis;
  const env = {
    NODE_ENV: 'development',
    DATABASE_URL: url,
    REDIS_URL,
    REDIS_KEY_PREFIX: PREFIX,
    JWT_SECRET: SECRET,
    OPENAI_API_KEY: 'faults',
    OPENAI_BASE_URL: fake.url,
    RATE_LIMIT_PER_MINUTE: '100000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '10',
    PLANS: UNCAPPED_PLANS,
    DEMO_ACCOUNTS: 'false',
    JOBS_ENABLED: 'true',
    NOTIFY_SWEEP_CRON: '* * * * * *',
    HOLD_TTL_SECONDS: '5',
    HOLD_SWEEP_INTERVAL_SECONDS: '1',
    SERVE_WEB: 'false',
  };
  // Scenarios 1–2 run the instances through PgBouncer in transaction mode: statements unnamed,
  // migrations over a direct connection (their advisory lock is a session's).
  const pooledEnv = { ...env, DATABASE_URL: bouncer.url(DATABASE, POOLED_APPLICATION), DATABASE_MIGRATION_URL: url, DATABASE_PREPARED_STATEMENTS: 'false' };
  try {
    const period = periodOf(new Date(), DEFAULT_QUOTA_POLICY.timeZone).key;
    const users = await seedUsers(client, 200, period);
    const [adminRow] = await query<{ id: string }>(client, `insert into users (email, password_hash, role) values ('faults-admin@faults.local', 'x', 'ADMIN') returning id`);
    const adminToken = signSession(SECRET, adminRow!.id, 'ADMIN');
    const tokens = users.map((id) => signSession(SECRET, id));

    log(`scenario 1 — two instances on one PostgreSQL (through PgBouncer in transaction mode, ${PGBOUNCER_POOL_SIZE} server connections) and Redis, 1,000 concurrent turns from 200 users`);
    apis[0] = await startApi(pooledEnv, PORTS[0]!);
    apis[1] = await startApi(pooledEnv, PORTS[1]!);
    const bouncerBefore = await bouncer.stats(DATABASE);
    const started = Date.now();
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        while (next < 1_000) {
          const index = next++;
          statuses.push(await send(PORTS[index % 2]!, tokens[index % tokens.length]!, { message: `동시 상담 ${index}` }));
        }
      }),
    );
    const accepted = statuses.filter((status) => status === 200).length;
    const refused = statuses.filter((status) => status === 402).length;
    log(`  1,000 turns in ${((Date.now() - started) / 1000).toFixed(1)} s: ${accepted} answered, ${refused} refused (402), ${statuses.length - accepted - refused} other`);
    check('two instances: every turn answered or refused', accepted + refused === 1_000, `${1_000 - accepted - refused} failed`);
    const [charged] = await query<{ count: number }>(client, `select count(*)::int as count from ledger_entries where kind = 'CONSUMPTION'`);
    check('two instances: each answered turn charged once', charged!.count === accepted, `${charged!.count} charges for ${accepted} answers`);
    await ledgerChecks(handle, client, 'two instances');
    await pooledTrafficChecks(bouncer, client, bouncerBefore, accepted);

    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const [ticks] = await query<{ count: number }>(client, `select count(*)::int as count from job_runs where job = 'usage-sweep' and trigger = 'schedule'`);
    const ran = (await metric(PORTS[0]!, 'consult_on_job_runs_total{job="usage-sweep",result="success"}')) + (await metric(PORTS[1]!, 'consult_on_job_runs_total{job="usage-sweep",result="success"}'));
    const skipped = (await metric(PORTS[0]!, 'consult_on_job_ticks_skipped_total')) + (await metric(PORTS[1]!, 'consult_on_job_ticks_skipped_total'));
    check('two instances: one sweep per tick', ticks!.count > 0 && ran === ticks!.count && skipped === 0, `${ticks!.count} ticks, ${ran} runs, ${skipped} duplicate deliveries`);

    const stats = (port: number, method = 'GET') =>
      fetch(`http://127.0.0.1:${port}/api/admin/token-stats${method === 'DELETE' ? '/cache' : ''}`, { method, headers: { authorization: `Bearer ${adminToken}` } }).then((r) => r.json() as Promise<{ cached?: boolean }>);
    await stats(PORTS[0]!);
    const warm = await stats(PORTS[0]!);
    await stats(PORTS[1]!, 'DELETE');
    const afterClear = await stats(PORTS[0]!);
    check('two instances: a cache clear on one clears both', warm.cached === true && afterClear.cached === false, `cached before ${warm.cached}, after the other's clear ${afterClear.cached}`);

    log('scenario 1a — the login limit across both instances, from one address (AUTH_RATE_LIMIT_PER_MINUTE = 10)');
    const logins: number[] = [];
    // Not across a window's edge (the limit's windows are minutes of the clock): the previous minute's share would blur the count.
    if (Date.now() % 60_000 > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - (Date.now() % 60_000) + 100));
    for (let attempt = 0; attempt < 14; attempt += 1) {
      const response = await fetch(`http://127.0.0.1:${PORTS[attempt % 2]!}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@faults.local', password: 'guess-guess-1' }),
      });
      logins.push(response.status);
    }
    log(`  14 wrong passwords, alternating instances: ${tally(logins)}`);
    check(
      'two instances: the login limit is counted once for both (10 a minute, not 20)',
      logins.slice(0, 10).every((status) => status === 401) && logins.slice(10).every((status) => status === 429),
      logins.join(' '),
    );

    log("scenario 1b — a plan's cap on turns at once, across both instances: 20 users, 10 turns each at once");
    // A plan of its own (config does not manage it), with a cap of 2; the model slowed so that turns overlap.
    await client.query(`insert into plans (id, name_ko, name_en, monthly_tokens, completion_limit, turns_per_minute, concurrent_turns, price_krw, for_sale, managed_by)
      values ('capped', '제한', 'Capped', 100000, 2048, 100000, 2, 0, false, 'admin')`);
    const capped = users.slice(0, 20);
    await client.query(`update token_accounts set plan_id = 'capped' where user_id = any($1::uuid[])`, [capped]);
    const chargesOfCapped = async () =>
      (await query<{ count: number }>(client, `select count(*)::int as count from ledger_entries where kind = 'CONSUMPTION' and user_id = any($1::uuid[])`, [capped]))[0]!.count;
    const cappedChargesBefore = await chargesOfCapped();
    const [{ last: lastEntryBefore }] = (await query<{ last: number }>(client, `select coalesce(max(id), 0)::bigint as last from ledger_entries`)) as [{ last: number }];
    const usual = fake.defaultBehavior;
    fake.defaultBehavior = { ...usual, firstChunkDelayMs: 300 };
    const cappedStatuses = await Promise.all(
      capped.flatMap((_, user) => Array.from({ length: 10 }, (_, turn) => send(PORTS[turn % 2]!, tokens[user]!, { message: `동시에 ${turn}` }))),
    );
    fake.defaultBehavior = usual;
    // The most holds of one user open at one instant, in the order the database applied them: an
    // account's entries are numbered while its row is locked by the write, so their ids follow
    // the account's changes. (The rows' timestamps do not: each is the instance's clock read
    // before its statement, and a turn that read the account after another closed may carry an
    // earlier time.) A hold opens at its HOLD entry and closes at its first later entry.
    const [overlap] = await query<{ worst: number }>(
      client,
      `with events as (
         select user_id, id, 1 as step from ledger_entries where kind = 'HOLD' and user_id = any($1::uuid[]) and id > $2
         union all
         select user_id, min(id), -1 from ledger_entries
         where kind <> 'HOLD' and hold_id is not null and user_id = any($1::uuid[]) and id > $2
           and hold_id in (select hold_id from ledger_entries where kind = 'HOLD' and user_id = any($1::uuid[]) and id > $2)
         group by user_id, hold_id
       )
       select coalesce(max(open), 0)::int as worst
       from (select sum(step) over (partition by user_id order by id) as open from events) running`,
      [capped, lastEntryBefore],
    );
    const cappedCharges = (await chargesOfCapped()) - cappedChargesBefore;
    const cappedAccepted = cappedStatuses.filter((status) => status === 200).length;
    log(`  200 turns: ${tally(cappedStatuses)}`);
    check(
      'plan cap: never more turns at once than the plan allows, on two instances',
      overlap!.worst <= 2 && cappedStatuses.includes(429) && cappedStatuses.every((status) => [200, 402, 429].includes(status)),
      `at most ${overlap!.worst} at once (cap 2), ${cappedStatuses.filter((status) => status === 429).length} refused with 429`,
    );
    check('plan cap: each answered turn charged once', cappedCharges === cappedAccepted, `${cappedCharges} charges for ${cappedAccepted} answers`);
    await ledgerChecks(handle, client, 'plan cap');
    await client.query(`update token_accounts set plan_id = 'free' where user_id = any($1::uuid[])`, [capped]);

    log('scenario 1c — organizations: 1,000 concurrent turns over both instances from 300 members of three pools (one pool at 104 %, one with members near their limits)');
    const pools = await seedOrganizations(client, period);
    const memberTokens = pools.members.map((ids) => ids.map((id) => signSession(SECRET, id)));
    const chargesInPools = async () =>
      (await query<{ count: number }>(client, `select count(*)::int as count from ledger_entries where kind = 'CONSUMPTION' and user_id = any($1::uuid[])`, [pools.organizations]))[0]!.count;
    const poolChargesBefore = await chargesInPools();
    const poolStatuses: number[] = [];
    const refusals = new Map<string, number>();
    let nextTurn = 0;
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        while (nextTurn < 1_000) {
          const index = nextTurn++;
          const organization = index % 3;
          const token = memberTokens[organization]![Math.floor(index / 3) % 100]!;
          const response = await fetch(`http://127.0.0.1:${PORTS[index % 2]}/api/chat/send`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ message: `조직 상담 ${index}`, organizationId: pools.organizations[organization] }),
            signal: AbortSignal.timeout(30_000),
          }).catch(() => null);
          const body = response ? ((await response.json().catch(() => ({}))) as { code?: string }) : {};
          poolStatuses.push(response?.status ?? 0);
          if (response && response.status !== 200) refusals.set(`${response.status} ${body.code}`, (refusals.get(`${response.status} ${body.code}`) ?? 0) + 1);
        }
      }),
    );
    const poolAccepted = poolStatuses.filter((status) => status === 200).length;
    log(`  1,000 turns: ${poolAccepted} answered; refused: ${[...refusals.entries()].map(([code, count]) => `${code} × ${count}`).join(', ') || 'none'}`);
    check(
      'organizations: every turn answered or refused with the limit that stopped it',
      poolStatuses.every((status) => status === 200 || status === 402) && [...refusals.keys()].every((code) => code === '402 MEMBER_LIMIT_REACHED' || code === '402 TOKEN_EXHAUSTED'),
      `${poolStatuses.filter((status) => status !== 200 && status !== 402).length} failed`,
    );
    check('organizations: both limits refused turns', (refusals.get('402 MEMBER_LIMIT_REACHED') ?? 0) > 0 && (refusals.get('402 TOKEN_EXHAUSTED') ?? 0) > 0, JSON.stringify(Object.fromEntries(refusals)));
    check('organizations: each answered turn charged once, to its pool', (await chargesInPools()) - poolChargesBefore === poolAccepted, `${(await chargesInPools()) - poolChargesBefore} charges for ${poolAccepted} answers`);
    await ledgerChecks(handle, client, 'organizations');

    log('scenario 2 — kill -9 of an instance while 50 turns are in flight (30 personal, 20 in an organization)');
    fake.defaultBehavior = { kind: 'reply', text: Array.from({ length: 30 }, (_, index) => `조각${index} `).join(''), promptTokens: 60, completionTokens: 30, chunkDelayMs: 60 };
    const [beforeKill] = await query<{ count: number }>(client, `select count(*)::int as count from ledger_entries where kind = 'CONSUMPTION'`);
    const inFlight = Array.from({ length: 50 }, (_, index) =>
      index < 30
        ? send(PORTS[0]!, tokens[index]!, { message: `중단될 상담 ${index}` })
        : send(PORTS[0]!, memberTokens[0]![index]!, { message: `중단될 조직 상담 ${index}`, organizationId: pools.organizations[0] }),
    );
    await new Promise((resolve) => setTimeout(resolve, 800));
    const [open] = await query<{ count: number }>(client, `select count(*)::int as count from token_holds where status = 'OPEN'`);
    apis[0]!.kill('SIGKILL');
    apis[0] = null;
    const killedStatuses = await Promise.all(inFlight);
    log(`  killed with ${open!.count} holds open; clients saw ${killedStatuses.filter((s) => s === 200).length} answers and ${killedStatuses.filter((s) => s !== 200).length} broken connections`);
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const [left] = await query<{ count: number }>(client, `select count(*)::int as count from token_holds where status = 'OPEN'`);
    const [expired] = await query<{ count: number }>(client, `select count(*)::int as count from ledger_entries where kind = 'HOLD_EXPIRY'`);
    const [afterKill] = await query<{ count: number }>(client, `select count(*)::int as count from ledger_entries where kind = 'CONSUMPTION'`);
    check('kill -9: unfinished turns not charged once their holds expire', left!.count === 0 && expired!.count >= open!.count, `${left!.count} holds still open, ${expired!.count} expired by the other instance`);
    const [memberHolds] = await query<{ held: string; open: number }>(
      client,
      `select coalesce(sum(held_tokens), 0) as held, coalesce(sum(open_holds), 0)::int as open from organization_members where organization_id = $1`,
      [pools.organizations[0]],
    );
    const [poolHeld] = await query<{ held: string }>(client, `select held_tokens as held from token_accounts where user_id = $1`, [pools.organizations[0]]);
    check(
      'kill -9: the pool and the members\' limits get their holds back',
      Number(memberHolds!.held) === 0 && memberHolds!.open === 0 && Number(poolHeld!.held) === 0,
      `members hold ${memberHolds!.held} tokens in ${memberHolds!.open} turns, the pool ${poolHeld!.held}`,
    );
    check('kill -9: settled turns kept, none charged twice', afterKill!.count - beforeKill!.count === killedStatuses.filter((s) => s === 200).length, `${afterKill!.count - beforeKill!.count} new charges for ${killedStatuses.filter((s) => s === 200).length} answers`);
    await ledgerChecks(handle, client, 'kill -9');

    const bouncerAfterKill = await bouncer.stats(DATABASE);
    check(
      'PgBouncer: the turns of scenarios 1–2 went through it',
      bouncerAfterKill.transactions - bouncerBefore.transactions >= 2 * accepted,
      `${bouncerAfterKill.transactions - bouncerBefore.transactions} transactions and ${bouncerAfterKill.queries - bouncerBefore.queries} statements through PgBouncer (SHOW STATS)`,
    );

    log('scenario 3 — Redis stops during load and comes back (both instances on direct connections from here on: the pools recover by themselves)');
    fake.defaultBehavior = { kind: 'reply', text: '잠시만요, 답변 드릴게요.', promptTokens: 60, completionTokens: 8, chunkDelayMs: 2 };
    await stopApi(apis[1]!);
    apis[1] = await startApi(env, PORTS[1]!);
    apis[0] = await startApi(env, PORTS[0]!);
    let endLoad!: () => void;
    const redisLoad = mixedLoad(tokens, adminToken, new Promise((resolve) => (endLoad = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redis.stop();
    log('  Redis stopped');
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const duringOutage = (await fetch(`http://127.0.0.1:${PORTS[0]}/health`).then((r) => r.json())) as { status: string };
    await redis.start();
    log('  Redis started again');
    const [ticksBefore] = await query<{ count: number }>(client, `select count(*)::int as count from job_runs where trigger = 'schedule'`);
    const resumed = await waitUntil(async () => (await query<{ count: number }>(client, `select count(*)::int as count from job_runs where trigger = 'schedule'`))[0]!.count > ticksBefore!.count + 1, 20_000);
    endLoad();
    const redisStatuses = await redisLoad;
    log(`  responses during the outage: ${tally(redisStatuses)}; /health said ${duringOutage.status}`);
    check('Redis down: chat, usage and stats keep answering', redisStatuses.every((status) => status === 200 || status === 402) && redisStatuses.length > 50, `${redisStatuses.filter((status) => status !== 200 && status !== 402).length} of ${redisStatuses.length} failed`);
    check('Redis down: /health reports the cache down, not the service', duringOutage.status === 'degraded', `status ${duringOutage.status}`);
    check('Redis down: the scheduler resumes', resumed, resumed ? 'ticks run again after Redis came back' : 'no tick after 20 s');
    await ledgerChecks(handle, client, 'Redis down');

    log('scenario 4 — PostgreSQL restarts during load');
    let endPgLoad!: () => void;
    const pgLoad = mixedLoad(tokens, adminToken, new Promise((resolve) => (endPgLoad = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await client.end().catch(() => undefined);
    await handle.close().catch(() => undefined);
    const restartStarted = Date.now();
    postgres.restart();
    log(`  PostgreSQL restarted in ${Date.now() - restartStarted} ms`);
    const recovered = await waitUntil(async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${PORTS[0]}/health`);
        return response.ok && (await fetch(`http://127.0.0.1:${PORTS[1]}/health`)).ok;
      } catch {
        return false;
      }
    }, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    endPgLoad();
    const pgStatuses = await pgLoad;
    log(`  responses around the restart: ${tally(pgStatuses)}`);
    check('PostgreSQL restart: failures are clean 503s, never 500', pgStatuses.every((status) => status === 200 || status === 402 || status === 503 || status === 0), `${pgStatuses.filter((status) => ![200, 402, 503, 0].includes(status)).length} other statuses`);
    check('PostgreSQL restart: the pools recover by themselves', recovered, recovered ? 'both instances healthy again' : 'not healthy after 30 s');
    reconnected = await reconnect(url);
    // Turns cut by the restart left their holds open: they expire and are never charged.
    await waitUntil(async () => (await query<{ count: number }>(reconnected!.client, `select count(*)::int as count from token_holds where status = 'OPEN' and expires_at < now()`))[0]!.count === 0, 15_000);
    const [orphans] = await query<{ count: number }>(
      reconnected.client,
      `select count(*)::int as count from messages m where m.role = 'assistant' and not exists (select 1 from ledger_entries e where e.id = m.ledger_entry_id)`,
    );
    const [unrecorded] = await query<{ count: number }>(
      reconnected.client,
      `select count(*)::int as count from ledger_entries e where e.kind = 'CONSUMPTION' and not exists (select 1 from messages m where m.ledger_entry_id = e.id)`,
    );
    check('PostgreSQL restart: no half-written turn', orphans!.count === 0 && unrecorded!.count === 0, `${orphans!.count} replies without a charge, ${unrecorded!.count} charges without a reply`);
    await ledgerChecks(reconnected.handle, reconnected.client, 'PostgreSQL restart');
  } finally {
    for (const api of apis) api?.kill('SIGKILL');
    await fake.close();
    await client.end().catch(() => undefined);
    await handle.close().catch(() => undefined);
    if (reconnected) {
      await reconnected.client.end().catch(() => undefined);
      await reconnected.handle.close().catch(() => undefined);
    }
    await admin.end().catch(() => undefined);
    await bouncer.stop();
    const cleanup = new pg.Client({ connectionString: BASE_URL });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${DATABASE} with (force)`);
    await cleanup.end();
    await deleteRedisKeys(REDIS_URL, PREFIX).catch(() => 0);
    await redis.stop();
    postgres.stop();
  }
  const failed = checks.filter((item) => !item.ok).length;
  console.log(`\nfaults: ${checks.length - failed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

let children: (ChildProcess | null)[] = [];
let pgbouncer: PrivatePgbouncer | null = null;
// Whatever happens, leave no API process or private server behind.
process.on('exit', () => {
  for (const child of children) child?.kill('SIGKILL');
  pgbouncer?.kill();
});

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
