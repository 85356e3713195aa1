/**
 * npm run bench:reports — the monthly usage-report job at one million users and ten million ledger
 * entries on PostgreSQL. Seeds 1,000,000 users (one in ten on plus, one in fifty on pro) with ten
 * turns each in last month (spread over days and hours, two models, skewed sizes), threshold
 * notifications for one in twenty and purchases after them for one in a hundred; starts the built
 * API, then runs the job (POST /api/admin/jobs/usage-reports/run) twice, printing its time and the
 * API process's memory (RSS sampled every 100 ms), then times a user's report read from the kept
 * month and the current month's computed on demand. BENCH_KEEP=1 keeps the seeded database for
 * the next run; with BENCH_SEED_ONLY=1 the run only seeds it.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { DEFAULT_QUOTA_POLICY, periodFromKey, periodOf } from '@consult-on/quota-policy';
import { previousMonth } from '../src/reports/usage-report.js';
import { benchAdmin, log, migratedScratch, percentileOf, runScript, signSession, startApi, stopApi, timedCaller } from './bench-support.js';

const USERS = Number(process.env.BENCH_USERS ?? 1_000_000);
const TURNS = Number(process.env.BENCH_TURNS_PER_USER ?? 10);
const DATABASE = 'consult_on_bench_reports';
const SECRET = 'bench-secret-bench-secret-bench-secret-00';
const PORT = 3_902;
const BATCH = 100_000;

function rssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function seed(client: pg.Client, month: { key: string; start: Date; end: Date }): Promise<void> {
  await client.query(`insert into plans (id, name_ko, name_en, monthly_tokens, completion_limit, turns_per_minute, concurrent_turns, price_krw, for_sale)
    values ('plus', '플러스', 'Plus', 1000000, 4096, 60, 8, 9900, true), ('pro', '프로', 'Pro', 5000000, 8192, 120, 16, 29000, true) on conflict do nothing`);
  const seconds = Math.round((month.end.getTime() - month.start.getTime()) / 1000);
  for (let from = 1; from <= USERS; from += BATCH) {
    const to = Math.min(USERS, from + BATCH - 1);
    await client.query(`create temp table seed as select g as n, gen_random_uuid() as id from generate_series($1::int, $2::int) g`, [from, to]);
    // One account in thirty is new this month; the rest are older.
    await client.query(
      `insert into users (id, email, email_canonical, password_hash, created_at, email_verified_at)
       select id, 'report-' || n || '@bench.local', 'report-' || n || '@bench.local', 'x',
              case when n % 30 = 0 then $1::timestamptz + interval '2 days' else $1::timestamptz - interval '90 days' end, now() from seed`,
      [month.start.toISOString()],
    );
    await client.query(
      `insert into token_accounts (user_id, period_key, plan_id, free_tokens, period_capacity_tokens)
       select id, $1, case when n % 10 = 0 then 'plus' when n % 50 = 1 then 'pro' else 'free' end, 100000, 100000 from seed`,
      [month.key],
    );
    // Ten turns each, at times spread over the month (more on weekday afternoons by the hour mix), sizes skewed.
    await client.query(
      `insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, consumed_delta, metadata, created_at)
       select id, 'CONSUMPTION', $1, tokens, -tokens, tokens, jsonb_build_object('model', case when (n + t) % 5 = 0 then 'consult-pro' else 'consult-basic' end),
              $2::timestamptz + make_interval(secs => ((n::bigint * 7919 + t * 104729) % $3::bigint))
       from (select id, n, t, (50 + ((n::bigint * t * 31) % 400) * (1 + (n % 7 = 0)::int * 5))::int as tokens
             from seed, generate_series(1, $4::int) t) turns`,
      [month.key, month.start.toISOString(), seconds, TURNS],
    );
    // One in twenty got a warning in the month; one in a hundred bought tokens a day after.
    await client.query(
      `insert into notifications (user_id, kind, period_key, data, source, created_at)
       select id, 'USAGE_WARNING', $1, '{"level":"WARNING","usagePercent":91,"remainingTokens":9000}'::jsonb, 'turn', $2::timestamptz + interval '10 days' from seed where n % 20 = 0`,
      [month.key, month.start.toISOString()],
    );
    await client.query(
      `insert into ledger_entries (user_id, kind, period_key, amount_tokens, purchased_delta, created_at)
       select id, 'PURCHASE', $1, 50000, 50000, $2::timestamptz + interval '11 days' from seed where n % 100 = 0`,
      [month.key, month.start.toISOString()],
    );
    await client.query(`drop table seed`);
    log(`seeded ${to.toLocaleString()} / ${USERS.toLocaleString()} users`);
  }
  await client.query('vacuum analyze');
}

async function main() {
  // BENCH_KEEP=1 keeps the seeded database and times it again on the next run (drop it by hand when done).
  const scratch = await migratedScratch(DATABASE);
  const { url, client } = scratch;
  try {
    const timeZone = DEFAULT_QUOTA_POLICY.timeZone;
    const last = periodFromKey(previousMonth(periodOf(new Date(), timeZone).key), timeZone);
    const seedStarted = performance.now();
    if (scratch.reused) log('timing the database seeded by an earlier run (BENCH_KEEP=1)');
    else await seed(client, last);
    const { rows: counts } = await client.query(`select (select count(*) from ledger_entries)::int as entries, (select count(*) from users)::int as users`);
    log(`seeded in ${Math.round((performance.now() - seedStarted) / 1000)} s: ${counts[0].users.toLocaleString()} users, ${counts[0].entries.toLocaleString()} ledger entries`);
    // BENCH_SEED_ONLY=1 (with BENCH_KEEP=1): seed now, time later on a quiet machine.
    if (process.env.BENCH_SEED_ONLY === '1') return;
    const admin = await benchAdmin(client, SECRET);
    const { rows: sample } = await client.query(`select user_id from token_accounts where organization_id is null order by random() limit 50`);

    const api = await startApi({ NODE_ENV: 'development', DATABASE_URL: url, JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '100000000', DEMO_ACCOUNTS: 'false', JOBS_ENABLED: 'false' }, PORT);
    const call = timedCaller(PORT);
    const runs: { seconds: number; rssBefore: number; rssPeak: number; rssAfter: number; result: string }[] = [];
    for (let run = 0; run < 2; run += 1) {
      const rssBefore = rssMb(api.pid);
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(api.pid))), 100);
      const job = await call('POST', '/api/admin/jobs/usage-reports/run', admin);
      clearInterval(sampler);
      const result = JSON.stringify(JSON.parse(job.body).result);
      runs.push({ seconds: job.ms / 1000, rssBefore, rssPeak, rssAfter: rssMb(api.pid), result });
      log(`job run ${run + 1}: ${(job.ms / 1000).toFixed(1)} s, API RSS ${rssBefore.toFixed(0)} → peak ${rssPeak.toFixed(0)} MB; ${result}`);
    }
    const kept: number[] = [];
    const current: number[] = [];
    for (const row of sample) {
      const token = signSession(SECRET, row.user_id);
      kept.push((await call('GET', `/api/reports/usage?month=${last.key}`, token)).ms);
      current.push((await call('GET', '/api/reports/usage', token)).ms);
    }
    const cohort = await call('GET', `/api/admin/reports/cohort?month=${last.key}`, admin);
    await stopApi(api);

    console.log(`\nbench:reports — ${counts[0].users.toLocaleString()} users, ${counts[0].entries.toLocaleString()} ledger entries (${TURNS} turns a user in ${last.key}); PostgreSQL; ${os.cpus().length} cores, Node ${process.version}`);
    console.log('| measurement | seconds | API RSS before → peak → after (MB) |');
    console.log('|---|---|---|');
    runs.forEach((run, index) => console.log(`| monthly job, run ${index + 1} | ${run.seconds.toFixed(1)} | ${run.rssBefore.toFixed(0)} → ${run.rssPeak.toFixed(0)} → ${run.rssAfter.toFixed(0)} |`));
    console.log(`\n| read | runs | p50 ms | p99 ms |\n|---|---|---|---|`);
    console.log(`| GET /api/reports/usage?month=${last.key} (kept) | ${kept.length} | ${percentileOf(kept, 0.5).toFixed(1)} | ${percentileOf(kept, 0.99).toFixed(1)} |`);
    console.log(`| GET /api/reports/usage (this month, computed) | ${current.length} | ${percentileOf(current, 0.5).toFixed(1)} | ${percentileOf(current, 0.99).toFixed(1)} |`);
    console.log(`| GET /api/admin/reports/cohort?month=${last.key} (kept) | 1 | ${cohort.ms.toFixed(1)} | — |`);
    console.log(`\ncohort: ${cohort.body}`);
  } finally {
    await scratch.drop();
  }
}

runScript(main);
