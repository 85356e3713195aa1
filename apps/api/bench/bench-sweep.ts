/**
 * npm run bench:sweep — the hourly threshold sweep over 1,000,000 accounts of which 50,000
 * are at ≥ 90 %, on PostgreSQL. Prints the time of the first sweep (creates the
 * notifications), of a second one (everything throttled) and the Node process's memory.
 */
import os from 'node:os';
import pg from 'pg';
import { DEFAULT_QUOTA_POLICY, periodOf } from '@consult-on/quota-policy';
import { openDatabase } from '../src/database/database.js';
import { NotificationsRepository } from '../src/notifications/notifications.repository.js';
import { createScratchDatabase, log, runScript } from './bench-support.js';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000);
const OVER = Number(process.env.BENCH_OVER ?? 50_000);
const DATABASE = 'consult_on_bench_sweep';

async function main() {
  const scratch = await createScratchDatabase(DATABASE);
  const url = scratch.url;
  const handle = await openDatabase({ url: url, poolSize: 2 });
  try {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const period = periodOf(new Date(), DEFAULT_QUOTA_POLICY.timeZone).key;
    const batch = 100_000;
    for (let from = 1; from <= ACCOUNTS; from += batch) {
      const to = Math.min(ACCOUNTS, from + batch - 1);
      await client.query(
        `with created as (
           insert into users (email, password_hash) select 'sweep-' || g || '@bench.local', 'x' from generate_series($1::int, $2::int) g returning id, email)
         insert into token_accounts (user_id, period_key, free_tokens, debt_tokens, period_capacity_tokens, period_consumed_tokens)
         select id, $3, greatest(0, 100000 - used), greatest(0, used - 100000), 100000, used
         from (select id, case when (split_part(split_part(email, '-', 2), '@', 1))::int % ${Math.round(ACCOUNTS / OVER)} = 0
                               then 90000 + ((split_part(split_part(email, '-', 2), '@', 1))::int % 15000)
                               else ((split_part(split_part(email, '-', 2), '@', 1))::bigint * 7919) % 89000 end as used
               from created) seeded`,
        [from, to, period],
      );
      log(`seeded ${to.toLocaleString()} / ${ACCOUNTS.toLocaleString()} accounts`);
    }
    await client.query('analyze');
    const { rows } = await client.query(`select count(*)::int as over from token_accounts where period_consumed_tokens * 10000 >= 9000 * period_capacity_tokens`);
    await client.end();
    log(`${rows[0].over.toLocaleString()} accounts are at ≥ 90 %`);

    const repository = new NotificationsRepository(handle);
    const rssBefore = process.memoryUsage().rss;
    const sweep = async (label: string, now: Date) => {
      const started = performance.now();
      const created = await repository.notifyOverThreshold(handle.db, period, DEFAULT_QUOTA_POLICY, now, false);
      const ms = performance.now() - started;
      log(`${label}: ${created.toLocaleString()} notifications in ${Math.round(ms)} ms`);
      return { created, ms };
    };
    const first = await sweep('first sweep', new Date());
    const second = await sweep('second sweep (within 24 h)', new Date(Date.now() + 3_600_000));
    const rssAfter = process.memoryUsage().rss;
    console.log(`\nbench:sweep — ${ACCOUNTS.toLocaleString()} accounts, ${rows[0].over.toLocaleString()} at ≥ 90 %, PostgreSQL; ${os.cpus().length} cores, Node ${process.version}`);
    console.log('| sweep | notifications created | time ms |');
    console.log('|---|---|---|');
    console.log(`| first | ${first.created.toLocaleString()} | ${Math.round(first.ms)} |`);
    console.log(`| second, within 24 h | ${second.created.toLocaleString()} | ${Math.round(second.ms)} |`);
    console.log(`\nNode RSS before the sweeps ${(rssBefore / 1_048_576).toFixed(0)} MiB, after ${(rssAfter / 1_048_576).toFixed(0)} MiB (the sweep returns a count, not rows)`);
  } finally {
    await handle.close();
    await scratch.drop();
  }
}

runScript(main);
