/**
 * npm run bench:chat — metered POST /api/chat/send against a zero-latency fake model with
 * 10,000 users on PostgreSQL, once with metering on and once with it off, in one run.
 * Prints turns/s, p50/p99 latency and the overhead of metering (on − off).
 */
import os from 'node:os';
import pg from 'pg';
import { openDatabase } from '../database/database.js';
import { FakeOpenAiServer } from '../testing/fake-openai-server.js';
import { createScratchDatabase, type LoadResult, log, postgresCpuMs, processCpuMs, runLoad, runScript, signSession, startApi, stopApi } from './bench-support.js';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const DATABASE = 'consult_on_bench_chat';
const SECRET = 'bench-secret-bench-secret-bench-secret-00';
const PORT = 3_900;

async function seed(url: string): Promise<string[]> {
  const handle = await openDatabase({ url, poolSize: 2 });
  await handle.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  log(`seeding ${USERS.toLocaleString()} users with accounts and their monthly grant…`);
  const { rows } = await client.query<{ id: string }>(
    `insert into users (email, password_hash) select 'bench-' || g || '@bench.local', 'x' from generate_series(1, $1) g returning id`,
    [USERS],
  );
  const period = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
  await client.query(
    `insert into token_accounts (user_id, period_key, free_tokens, period_capacity_tokens) select id, $1, 100000000, 100000000 from users`,
    [period],
  );
  await client.query(
    `insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, capacity_delta)
     select id, 'MONTHLY_GRANT', $1, 100000000, 100000000, 100000000 from users`,
    [period],
  );
  // Vacuum as well: the first phase must not pay for setting the hint bits of 30,000 fresh rows
  // (nor race autovacuum) while the second finds them set.
  await client.query('vacuum analyze');
  await client.end();
  return rows.map((row) => row.id);
}

type PhaseResult = LoadResult & { apiCpuMsPerTurn: number | null; pgCpuMsPerTurn: number | null };

async function phase(label: string, metering: boolean, fake: FakeOpenAiServer, url: string, users: string[]): Promise<PhaseResult> {
  log(`${label}: starting the API (METERING_ENABLED=${metering})`);
  const api = await startApi(
    {
      NODE_ENV: 'development',
      DATABASE_URL: url,
      DATABASE_POOL_SIZE: '20',
      JWT_SECRET: SECRET,
      OPENAI_API_KEY: 'bench',
      OPENAI_BASE_URL: fake.url,
      METERING_ENABLED: String(metering),
      RATE_LIMIT_PER_MINUTE: '100000000',
      DEMO_ACCOUNTS: 'false',
      QUOTA_FREE_MONTHLY_TOKENS: '100000000',
    },
    PORT,
  );
  const tokens = users.map((id) => signSession(SECRET, id));
  const request = (index: number) => ({ method: 'POST', path: '/api/chat/send', token: tokens[(index * 7919) % tokens.length]!, body: { message: '안녕하세요, 상담을 받고 싶어요.' } });
  log(`${label}: warming up for 3 s`);
  await runLoad({ port: PORT, seconds: 3, concurrency: CONCURRENCY, request, label: `${label} warm-up` });
  log(`${label}: measuring for ${SECONDS} s with ${CONCURRENCY} concurrent clients`);
  const cpuBefore = processCpuMs(api.pid);
  const pgBefore = postgresCpuMs(DATABASE);
  const result = await runLoad({ port: PORT, seconds: SECONDS, concurrency: CONCURRENCY, request, label });
  const cpuAfter = processCpuMs(api.pid);
  const pgAfter = postgresCpuMs(DATABASE);
  await stopApi(api);
  const apiCpuMsPerTurn = cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / Math.max(1, result.requests);
  const pgCpuMsPerTurn = pgBefore === null || pgAfter === null ? null : (pgAfter - pgBefore) / Math.max(1, result.requests);
  return { ...result, apiCpuMsPerTurn, pgCpuMsPerTurn };
}

function row(label: string, result: PhaseResult): string {
  return `| ${label} | ${result.requests.toLocaleString()} | ${Math.round(result.throughput).toLocaleString()} | ${result.p50Ms.toFixed(2)} | ${result.p90Ms.toFixed(2)} | ${result.p99Ms.toFixed(2)} | ${result.apiCpuMsPerTurn?.toFixed(2) ?? 'n/a'} | ${result.pgCpuMsPerTurn?.toFixed(2) ?? 'n/a'} | ${result.errors} |`;
}

async function main() {
  const scratch = await createScratchDatabase(DATABASE);
  const url = scratch.url;
  const fake = await new FakeOpenAiServer().start();
  fake.defaultBehavior = { kind: 'reply', text: '네, 말씀해 주세요. 어떤 고민이 있으신가요?', promptTokens: 40, completionTokens: 12 };
  try {
    const users = await seed(url);
    const on = await phase('metering on', true, fake, url, users);
    const off = await phase('metering off', false, fake, url, users);
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(`\nbench:chat — ${USERS.toLocaleString()} users, ${CONCURRENCY} concurrent clients, ${SECONDS} s per phase, PostgreSQL, zero-latency fake model`);
    console.log(`machine: ${os.cpus().length} cores (${cpu}), Node ${process.version}\n`);
    console.log('| phase | turns | turns/s | p50 ms | p90 ms | p99 ms | API CPU ms/turn | PostgreSQL CPU ms/turn | errors |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    console.log(row('metering on', on));
    console.log(row('metering off', off));
    const cpuOverhead = on.apiCpuMsPerTurn !== null && off.apiCpuMsPerTurn !== null ? `, API CPU ${(on.apiCpuMsPerTurn - off.apiCpuMsPerTurn).toFixed(2)} ms/turn` : '';
    console.log(`\nmetering overhead: p50 ${(on.p50Ms - off.p50Ms).toFixed(2)} ms, p99 ${(on.p99Ms - off.p99Ms).toFixed(2)} ms${cpuOverhead}; statuses on ${JSON.stringify(on.statuses)}, off ${JSON.stringify(off.statuses)}`);
  } finally {
    await fake.close();
    await scratch.drop();
  }
}

runScript(main);
