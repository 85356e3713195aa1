/**
 * npm run bench:pool — one organization's shared pool against personal accounts, in one run, on
 * PostgreSQL with a zero-latency fake model: 500 members of one organization, each turn from a
 * different member (32 at once), against the same load on 500 personal accounts. Prints turns/s
 * of both through the API, then the ceiling of the metering alone (reserve + settle, no model,
 * no messages, in-process), and checks the books after the run: the pool not past 105 %, no
 * member past their limit, balances = Σ ledger for every account and member.
 */
import os from 'node:os';
import pg from 'pg';
import { createApp } from '../src/app.factory.js';
import { systemClock } from '../src/common/clock.js';
import { openDatabase } from '../src/database/database.js';
import { HoldsService } from '../src/quota/holds/holds.service.js';
import { VerificationService } from '../src/quota/verification/verification.service.js';
import { FakeOpenAiServer } from '../testing/fake-openai-server.js';
import { testConfig, UNCAPPED_PLANS } from '../testing/test-config.js';
import { createScratchDatabase, type LoadRequest, type LoadResult, log, runLoad, runScript, signSession, startApi, stopApi } from './bench-support.js';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const DATABASE = 'consult_on_bench_pool';
const SECRET = 'bench-secret-bench-secret-bench-secret-00';
const PORT = 3_920;
/** Every member's monthly limit: far above what the run uses, so it is checked on every turn but never refuses one. */
const MEMBER_LIMIT = 50_000_000;
const POOL_TOKENS = 10_000_000_000;
const PERSONAL_TOKENS = 100_000_000;

interface Seeded {
  organizationId: string;
  members: string[];
  people: string[];
}

async function seed(url: string): Promise<Seeded> {
  const handle = await openDatabase({ url, poolSize: 2 });
  await handle.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  log(`seeding one organization with ${MEMBERS} members and ${MEMBERS} people with their own accounts…`);
  const period = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
  const people = (await client.query<{ id: string }>(`insert into users (email, password_hash) select 'person-' || g || '@bench.local', 'x' from generate_series(1, $1) g returning id`, [MEMBERS])).rows.map((row) => row.id);
  const members = (await client.query<{ id: string }>(`insert into users (email, password_hash) select 'member-' || g || '@bench.local', 'x' from generate_series(1, $1) g returning id`, [MEMBERS])).rows.map((row) => row.id);
  const [organization] = (await client.query<{ id: string }>(`insert into organizations (name) values ('bench') returning id`)).rows;
  const organizationId = organization!.id;
  await client.query(
    `insert into token_accounts (user_id, period_key, free_tokens, period_capacity_tokens) select id, $1, $2::bigint, $2::bigint from users where email like 'person-%'`,
    [period, PERSONAL_TOKENS],
  );
  await client.query(
    `insert into token_accounts (user_id, period_key, free_tokens, period_capacity_tokens) select id, $1, $2::bigint, $2::bigint from users where email like 'member-%'`,
    [period, PERSONAL_TOKENS],
  );
  await client.query(`insert into token_accounts (user_id, organization_id, period_key, free_tokens, period_capacity_tokens) values ($1, $1, $2, $3::bigint, $3::bigint)`, [
    organizationId,
    period,
    POOL_TOKENS,
  ]);
  await client.query(
    `insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, capacity_delta)
     select user_id, 'MONTHLY_GRANT', period_key, free_tokens, free_tokens, period_capacity_tokens from token_accounts`,
  );
  await client.query(
    `insert into organization_members (organization_id, user_id, role, monthly_limit_tokens, period_key)
     select $1, id, 'MEMBER', $2::bigint, $3 from users where email like 'member-%'`,
    [organizationId, MEMBER_LIMIT, period],
  );
  await client.query('vacuum analyze');
  await client.end();
  return { organizationId, members, people };
}

const API_ENV = {
  NODE_ENV: 'development',
  DATABASE_POOL_SIZE: '20',
  JWT_SECRET: SECRET,
  OPENAI_API_KEY: 'bench',
  RATE_LIMIT_PER_MINUTE: '100000000',
  DEMO_ACCOUNTS: 'false',
  PLANS: UNCAPPED_PLANS,
};

type Phase = 'personal accounts' | 'shared pool';

function requestFor(seeded: Seeded, phase: Phase, tokens: { members: string[]; people: string[] }, index: number): LoadRequest {
  // Consecutive turns from different people: 32 at once are 32 different accounts (or members).
  const i = (index * 7919) % MEMBERS;
  return phase === 'shared pool'
    ? { method: 'POST', path: '/api/chat/send', token: tokens.members[i]!, body: { message: '안녕하세요, 상담을 받고 싶어요.', organizationId: seeded.organizationId } }
    : { method: 'POST', path: '/api/chat/send', token: tokens.people[i]!, body: { message: '안녕하세요, 상담을 받고 싶어요.' } };
}

/** Metering alone, in-process: `CONCURRENCY` loops of reserve + settle for `seconds`, each turn of another account or member. */
async function meteringCeiling(holds: HoldsService, seeded: Seeded, phase: Phase, seconds: number): Promise<{ turns: number; perSecond: number; refused: number }> {
  let turns = 0;
  let refused = 0;
  let counter = 0;
  const endAt = performance.now() + seconds * 1_000;
  const loop = async () => {
    while (performance.now() < endAt) {
      const i = (counter++ * 7919) % MEMBERS;
      try {
        const reservation =
          phase === 'shared pool'
            ? await holds.reserveForMember(seeded.organizationId, seeded.members[i]!, { tokens: 400, minimumTokens: 100, purpose: 'bench' })
            : await holds.reserveWithAccount(seeded.people[i]!, { tokens: 400, minimumTokens: 100, purpose: 'bench' });
        await holds.settle(reservation.hold.holdId, 150, { bench: true }, null, reservation.poolId ?? null);
        turns += 1;
      } catch {
        refused += 1;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  return { turns, perSecond: turns / ((performance.now() - started) / 1_000), refused };
}

/** The API's counters of the pool's batches (`/metrics`). */
async function poolBatches(port: number): Promise<{ committed: number; lost: number; changes: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (line: string) => Number(text.split('\n').find((row) => row.startsWith(line))?.split(' ').pop() ?? 0);
  return {
    committed: value('consult_on_pool_batches_total{result="committed"}'),
    lost: value('consult_on_pool_batches_total{result="lost"}'),
    changes: value('consult_on_pool_batched_changes_total'),
  };
}

/** The books after the run: the pool not past 105 %, no member past their limit, balances = Σ ledger for every account and member. */
async function checkBooks(url: string, seeded: Seeded, verification: VerificationService): Promise<string[]> {
  const problems: string[] = [];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const [pool] = (await client.query<{ consumed: string; capacity: string }>(`select period_consumed_tokens as consumed, period_capacity_tokens as capacity from token_accounts where user_id = $1`, [seeded.organizationId])).rows;
  if (Number(pool!.consumed) * 100 > Number(pool!.capacity) * 105) problems.push(`pool at ${pool!.consumed} of ${pool!.capacity}`);
  const over = (await client.query(`select user_id from organization_members where monthly_limit_tokens is not null and consumed_tokens > monthly_limit_tokens`)).rows;
  if (over.length > 0) problems.push(`${over.length} members past their limit`);
  await client.end();
  const accounts = await verification.verify();
  const members = await verification.verifyMembers();
  if (accounts.length > 0) problems.push(`${accounts.length} accounts ≠ Σ ledger`);
  if (members.length > 0) problems.push(`${members.length} members ≠ Σ ledger`);
  return problems;
}

async function main() {
  const scratch = await createScratchDatabase(DATABASE);
  const url = scratch.url;
  const fake = await new FakeOpenAiServer().start();
  fake.defaultBehavior = { kind: 'reply', text: '네, 말씀해 주세요. 어떤 고민이 있으신가요?', promptTokens: 40, completionTokens: 12 };
  let api: Awaited<ReturnType<typeof startApi>> | null = null;
  try {
    const seeded = await seed(url);
    const tokens = { members: seeded.members.map((id) => signSession(SECRET, id)), people: seeded.people.map((id) => signSession(SECRET, id)) };
    log(`starting the API on port ${PORT}`);
    api = await startApi({ ...API_ENV, DATABASE_URL: url, OPENAI_BASE_URL: fake.url }, PORT);
    const phases: Phase[] = ['personal accounts', 'shared pool'];
    const results: Record<Phase, LoadResult[]> = { 'personal accounts': [], 'shared pool': [] };
    for (const phase of phases) {
      log(`warming up ${phase} for 3 s`);
      await runLoad({ port: PORT, seconds: 3, concurrency: CONCURRENCY, request: (index) => requestFor(seeded, phase, tokens, index), label: `${phase} warm-up` });
    }
    // Back to back, alternating, so drift on the machine hits both alike.
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const phase of round % 2 === 1 ? phases : [...phases].reverse()) {
        log(`round ${round}: ${phase} for ${SECONDS} s with ${CONCURRENCY} concurrent clients`);
        results[phase].push(await runLoad({ port: PORT, seconds: SECONDS, concurrency: CONCURRENCY, request: (index) => requestFor(seeded, phase, tokens, index), label: phase }));
      }
    }
    const batches = await poolBatches(PORT);
    await stopApi(api);
    api = null;

    // The metering alone, in this process on the same database: what the design allows once the rest of a turn gets cheaper.
    log('metering ceiling: reserve + settle in-process, no model, no messages');
    const app = await createApp({
      config: testConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '20', PLANS: UNCAPPED_PLANS, LOG_LEVEL: 'silent' }),
      database: await openDatabase({ url, poolSize: 20 }),
      clock: systemClock,
    });
    await app.init();
    const holds = app.get(HoldsService);
    const ceiling: Record<Phase, { turns: number; perSecond: number; refused: number }[]> = { 'personal accounts': [], 'shared pool': [] };
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const phase of round % 2 === 1 ? phases : [...phases].reverse()) ceiling[phase].push(await meteringCeiling(holds, seeded, phase, Math.max(5, Math.round(SECONDS / 2))));
    }
    const problems = await checkBooks(url, seeded, app.get(VerificationService));
    await app.close();

    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(`\nbench:pool — one organization with ${MEMBERS} members against ${MEMBERS} personal accounts, PostgreSQL, zero-latency fake model`);
    console.log(`machine: ${os.cpus().length} cores (${cpu}), Node ${process.version}; the API, PostgreSQL, the fake model and the load generator share them\n`);
    console.log(`Through the API — POST /api/chat/send, ${CONCURRENCY} concurrent clients, each turn from another account or member, ${SECONDS} s per round:\n`);
    console.log('| round | phase | turns | turns/s | p50 ms | p90 ms | p99 ms | statuses |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const phase of phases) {
      results[phase].forEach((result, index) =>
        console.log(`| ${index + 1} | ${phase} | ${result.requests.toLocaleString()} | ${Math.round(result.throughput).toLocaleString()} | ${result.p50Ms.toFixed(1)} | ${result.p90Ms.toFixed(1)} | ${result.p99Ms.toFixed(1)} | ${JSON.stringify(result.statuses)} |`),
      );
    }
    const personal = mean(results['personal accounts'].map((result) => result.throughput));
    const shared = mean(results['shared pool'].map((result) => result.throughput));
    console.log(
      `\nthe pool's changes (reservations, settlements) were written in ${batches.committed.toLocaleString()} batches, ${(batches.changes / Math.max(1, batches.committed)).toFixed(1)} changes each on average; ${batches.lost} batches lost`,
    );
    console.log(`\nshared pool: ${Math.round(shared)} turns/s = ${Math.round((100 * shared) / personal)} % of personal accounts (${Math.round(personal)} turns/s); target ≥ 80 %`);
    console.log(`\nMetering alone — reserve + settle in-process, ${CONCURRENCY} at once:\n`);
    console.log('| round | phase | turns | turns/s | refused |');
    console.log('|---|---|---|---|---|');
    for (const phase of phases) {
      ceiling[phase].forEach((result, index) => console.log(`| ${index + 1} | ${phase} | ${result.turns.toLocaleString()} | ${Math.round(result.perSecond).toLocaleString()} | ${result.refused} |`));
    }
    const ceilingPersonal = mean(ceiling['personal accounts'].map((result) => result.perSecond));
    const ceilingShared = mean(ceiling['shared pool'].map((result) => result.perSecond));
    console.log(`\nmetering ceiling: shared pool ${Math.round(ceilingShared)}/s = ${Math.round((100 * ceilingShared) / ceilingPersonal)} % of personal accounts (${Math.round(ceilingPersonal)}/s)`);
    console.log(problems.length === 0 ? '\nbooks: the pool within 105 %, every member within their limit, balances = Σ ledger for every account and member' : `\nBOOKS BROKEN: ${problems.join('; ')}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    if (api) await stopApi(api);
    await fake.close();
    await scratch.drop();
  }
}

runScript(main);
