/**
 * npm run bench:stats — admin statistics at one million users on PostgreSQL. Seeds 1,000,000
 * users with ledgers (skewed usage, about 5 % over 90 %) and 10,000 organizations with their
 * pools (the plan and organization breakdowns are part of the statistics), starts the built API, then times the
 * uncached statistics, the cached endpoint and the user detail, and prints EXPLAIN of the
 * main queries.
 */
import os from 'node:os';
import pg from 'pg';
import { DEFAULT_QUOTA_POLICY, periodOf } from '@consult-on/quota-policy';
import { benchAdmin, log, migratedScratch, percentileOf, runScript, startApi, stopApi } from './bench-support.js';

const USERS = Number(process.env.BENCH_USERS ?? 1_000_000);
const ORGANIZATIONS = Number(process.env.BENCH_ORGANIZATIONS ?? 10_000);
const DATABASE = 'consult_on_bench_stats';
const SECRET = 'bench-secret-bench-secret-bench-secret-00';
const PORT = 3_901;
const BATCH = 100_000;

async function seed(client: pg.Client, period: string, periodStart: Date): Promise<void> {
  // Plans: one user in ten on plus, one in fifty on pro (the allowances are left as seeded: only the breakdown is timed).
  await client.query(`insert into plans (id, name_ko, name_en, monthly_tokens, completion_limit, turns_per_minute, concurrent_turns, price_krw, for_sale)
    values ('plus', '플러스', 'Plus', 1000000, 4096, 60, 8, 9900, true), ('pro', '프로', 'Pro', 5000000, 8192, 120, 16, 29000, true) on conflict do nothing`);
  for (let from = 1; from <= USERS; from += BATCH) {
    const to = Math.min(USERS, from + BATCH - 1);
    // Usage per user: 5 % between 90 % and 105 %, the rest spread below 89 %; a few buy tokens.
    await client.query(
      `create temp table seed as
       select g as n, 'stats-' || g || '@bench.local' as email,
              case when g % 20 = 0 then 90000 + (g % 15000) else ((g::bigint * 7919) % 89000) end as used,
              (1 + ((((g::bigint * 2654435761) % 1000) ^ 3)::bigint / 62500000))::int as turns
       from generate_series($1::int, $2::int) g`,
      [from, to],
    );
    await client.query(`alter table seed add column id uuid default gen_random_uuid()`);
    // With their canonical address, as every account made since migration 0006 has (the start fills in any missing, one by one).
    await client.query(`insert into users (id, email, email_canonical, password_hash, created_at) select id, email, email, 'x', $1::timestamptz from seed`, [periodStart.toISOString()]);
    await client.query(
      `insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, capacity_delta, created_at)
       select id, 'MONTHLY_GRANT', $1, 100000, 100000, 100000, $2::timestamptz from seed`,
      [period, periodStart.toISOString()],
    );
    await client.query(
      `insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, debt_delta, consumed_delta, created_at)
       select id, 'CONSUMPTION', $1, part, -least(part, greatest(0, 100000 - before)), greatest(0, before + part - greatest(before, 100000)), part,
              $2::timestamptz + (t * interval '7 hours')
       from (select id, t, used / turns + case when t = turns then used % turns else 0 end as part, (used / turns) * (t - 1) as before
             from seed, generate_series(1, turns) t) turns`,
      [period, periodStart.toISOString()],
    );
    await client.query(
      `insert into token_accounts (user_id, period_key, plan_id, free_tokens, debt_tokens, period_capacity_tokens, period_consumed_tokens, last_active_at)
       select id, $1, case when n % 10 = 0 then 'plus' when n % 50 = 1 then 'pro' else 'free' end,
              greatest(0, 100000 - used), greatest(0, used - 100000), 100000, used, $2::timestamptz + (turns * interval '7 hours') from seed`,
      [period, periodStart.toISOString()],
    );
    await client.query(`drop table seed`);
    log(`seeded ${to.toLocaleString()} / ${USERS.toLocaleString()} users`);
  }
  // 10,000 organizations, each with its pool (one in five on enterprise) and five of the users above as members.
  await client.query(`insert into plans (id, name_ko, name_en, monthly_tokens, completion_limit, turns_per_minute, concurrent_turns, price_krw, for_sale)
    values ('enterprise', '엔터프라이즈', 'Enterprise', 10000000, 8192, 600, 64, 990000, false) on conflict do nothing`);
  await client.query(
    `create temp table orgs as select g as n, gen_random_uuid() as id, ((g::bigint * 104729) % 9500000) as used,
            case when g % 5 = 0 then 'enterprise' else 'free' end as plan_id,
            case when g % 5 = 0 then 10000000 else 100000 end as capacity
     from generate_series(1, $1::int) g`,
    [ORGANIZATIONS],
  );
  await client.query(`update orgs set used = used % (capacity * 104 / 100)`);
  await client.query(`insert into organizations (id, name, created_at) select id, 'bench org ' || n, $1::timestamptz from orgs`, [periodStart.toISOString()]);
  await client.query(
    `insert into token_accounts (user_id, organization_id, period_key, plan_id, free_tokens, debt_tokens, period_capacity_tokens, period_consumed_tokens)
     select id, id, $1, plan_id, greatest(0, capacity - used), greatest(0, used - capacity), capacity, used from orgs`,
    [period],
  );
  await client.query(
    `insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, capacity_delta, created_at)
     select id, 'MONTHLY_GRANT', $1, capacity, capacity, capacity, $2::timestamptz from orgs`,
    [period, periodStart.toISOString()],
  );
  await client.query(
    `insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, debt_delta, consumed_delta, created_at)
     select id, 'CONSUMPTION', $1, used, -least(used, capacity), greatest(0, used - capacity), used, $2::timestamptz + interval '3 hours' from orgs where used > 0`,
    [period, periodStart.toISOString()],
  );
  await client.query(
    `insert into organization_members (organization_id, user_id, role, period_key)
     select o.id, u.id, case when m = 1 then 'OWNER' else 'MEMBER' end, $1
     from orgs o cross join generate_series(1, 5) m
     join lateral (select id from users where email = 'stats-' || (((o.n - 1) * 5 + m - 1) % $2::int + 1) || '@bench.local') u on true`,
    [period, USERS],
  );
  await client.query(`drop table orgs`);
  log(`seeded ${ORGANIZATIONS.toLocaleString()} organizations with their pools and 5 members each`);
  await client.query('vacuum analyze');
}

async function main() {
  // BENCH_KEEP=1 keeps the seeded database and times it again on the next run (drop it by hand when done).
  const scratch = await migratedScratch(DATABASE);
  const { url, client } = scratch;
  try {
    const period = periodOf(new Date(), DEFAULT_QUOTA_POLICY.timeZone);
    const seedStarted = performance.now();
    if (scratch.reused) log(`timing the database seeded by an earlier run (BENCH_KEEP=1)`);
    else await seed(client, period.key, period.start);
    const { rows: counts } = await client.query(
      `select (select count(*) from ledger_entries)::int as entries,
              (select count(*) from token_accounts where period_consumed_tokens * 10000 >= 9000 * period_capacity_tokens)::int as over90`,
    );
    log(`seeded in ${Math.round((performance.now() - seedStarted) / 1000)} s: ${counts[0].entries.toLocaleString()} ledger entries, ${counts[0].over90.toLocaleString()} users at ≥ 90 %`);
    const token = await benchAdmin(client, SECRET);
    const { rows: sample } = await client.query(`select user_id from token_accounts tablesample system (1) limit 50`);

    const api = await startApi(
      { NODE_ENV: 'development', DATABASE_URL: url, JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '100000000', DEMO_ACCOUNTS: 'false', JOBS_ENABLED: 'false' },
      PORT,
    );
    const call = async (method: string, path: string) => {
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${PORT}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
      return performance.now() - started;
    };
    const uncached: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      await call('DELETE', '/api/admin/token-stats/cache');
      uncached.push(await call('GET', '/api/admin/token-stats'));
      log(`uncached statistics, run ${run + 1}: ${Math.round(uncached.at(-1)!)} ms`);
    }
    const cached: number[] = [];
    for (let run = 0; run < 300; run += 1) cached.push(await call('GET', '/api/admin/token-stats'));
    const detail: number[] = [];
    for (const row of sample) detail.push(await call('GET', `/api/admin/token-stats/user/${row.user_id}`));
    await stopApi(api);

    console.log(`\nbench:stats — ${USERS.toLocaleString()} users, ${counts[0].entries.toLocaleString()} ledger entries, ${counts[0].over90.toLocaleString()} at ≥ 90 %; PostgreSQL, in-memory cache; ${os.cpus().length} cores, Node ${process.version}`);
    console.log('| measurement | runs | p50 ms | p99 ms |');
    console.log('|---|---|---|---|');
    console.log(`| GET /api/admin/token-stats, uncached | ${uncached.length} | ${percentileOf(uncached, 0.5).toFixed(1)} | ${percentileOf(uncached, 0.99).toFixed(1)} |`);
    console.log(`| GET /api/admin/token-stats, cached | ${cached.length} | ${percentileOf(cached, 0.5).toFixed(2)} | ${percentileOf(cached, 0.99).toFixed(2)} |`);
    console.log(`| GET /api/admin/token-stats/user/:id | ${detail.length} | ${percentileOf(detail, 0.5).toFixed(1)} | ${percentileOf(detail, 0.99).toFixed(1)} |`);

    const explain = async (label: string, query: string, values: unknown[]) => {
      const { rows } = await client.query(`explain (analyze, buffers, costs off) ${query}`, values);
      console.log(`\nEXPLAIN ANALYZE — ${label}\n${rows.map((row) => row['QUERY PLAN']).join('\n')}`);
    };
    const usage = `select t.user_id, case when t.period_key = $1 then t.plan_id else coalesce(t.next_plan_id, t.plan_id) end as plan_id,
        case when t.period_key = $1 then t.period_consumed_tokens else 0 end as used,
        case when t.period_key = $1 then t.period_capacity_tokens
          else case coalesce(t.next_plan_id, t.plan_id) when 'free' then 100000::bigint when 'plus' then 1000000::bigint when 'pro' then 5000000::bigint end + t.purchased_tokens end as capacity,
        t.purchased_tokens as purchased, t.last_active_at from token_accounts t`;
    await explain(
      'overview, distribution and plans',
      `with a as (${usage}) select plan_id, count(*), count(*) filter (where used > 0), coalesce(sum(used), 0),
        count(*) filter (where used * 10000 < 5000 * capacity), count(*) filter (where used * 10000 >= 9500 * capacity) from a
        group by plan_id`,
      [period.key],
    );
    await explain('top 100 users', `with a as (${usage}), top as (select * from a where used > 0 order by used desc, user_id limit 100) select top.*, u.email from top join users u on u.id = top.user_id`, [period.key]);
    await explain('purchased in the period', `select coalesce(sum(amount_tokens), 0) from ledger_entries where kind = 'PURCHASE' and period_key = $1`, [period.key]);
  } finally {
    await scratch.drop();
  }
}

runScript(main);
