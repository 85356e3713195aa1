/**
 * npm run bench:chat — metered POST /api/chat/send against a zero-latency fake model with
 * 10,000 users on PostgreSQL, with metering on and with it off (two API processes), in one run.
 * Prints the latency metering adds (one client, alternating, so nothing queues) and turns/s with
 * many clients, with the CPU each process spends per turn; then the same metered turn through
 * POST /v1/chat/completions with API keys (one key per client, as a company's bot uses one),
 * kept as a conversation like a web turn and not kept (the keys' default), on the same process.
 * Last, the floor (floor-server.ts): a bare node:http + pg server sending the same statements as
 * a metered turn, under the same load; the headline is the API's turns/s over the floor's.
 */
import os from 'node:os';
import pg from 'pg';
import { newApiKey } from '../src/api-keys/api-key-rules.js';
import { secretHash } from '../src/common/secret-token.js';
import { openDatabase } from '../src/database/database.js';
import { FakeOpenAiServer } from '../testing/fake-openai-server.js';
import { UNCAPPED_PLANS } from '../testing/test-config.js';
import { createScratchDatabase, type LoadRequest, type LoadResult, log, postgresCpuMs, processCpuMs, runLoad, runScript, signSession, startApi, startFloor, stopApi } from './bench-support.js';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
/**
 * Warm-up before each measurement, not counted: long enough for the process's JIT and the
 * database's caches to settle, so that the first phase is not measured colder than the later ones
 * (with 3 s, the first metered phase ran 10–25 % below the same phase repeated later).
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);

/**
 * The planner's statistics brought up to date after each warm-up, as autovacuum keeps them in a
 * running deployment. Without it the phases that ran before autovacuum's next round (once a
 * minute) were planned on the seed's statistics — conversations and holds empty — and scanned the
 * growing tables whole on every turn (a sequential scan of `conversations` in the settlement: ~0.3
 * ms of PostgreSQL's CPU per turn), while the later phases, the floor among them, were not.
 */
let analyze: () => Promise<unknown> = async () => undefined;
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

/** One API key per client, each of another user: those not kept, then those kept as conversations. */
async function seedKeys(url: string, users: string[]): Promise<{ notKept: string[]; kept: string[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const keys = { notKept: [] as string[], kept: [] as string[] };
  for (let index = 0; index < 2 * CONCURRENCY; index += 1) {
    const { key, prefix } = newApiKey();
    const kept = index >= CONCURRENCY;
    await client.query(`insert into api_keys (user_id, name, prefix, secret_hash, keep_conversations) values ($1, 'bench', $2, $3, $4)`, [users[users.length - 1 - index], prefix, secretHash(key), kept]);
    (kept ? keys.kept : keys.notKept).push(key);
  }
  await client.end();
  return keys;
}

const V1_BODY = { model: 'consult-basic', messages: [{ role: 'user', content: '안녕하세요, 상담을 받고 싶어요.' }] };

const API_ENV = {
  NODE_ENV: 'development',
  DATABASE_POOL_SIZE: '20',
  JWT_SECRET: SECRET,
  OPENAI_API_KEY: 'bench',
  RATE_LIMIT_PER_MINUTE: '100000000',
  DEMO_ACCOUNTS: 'false',
  QUOTA_FREE_MONTHLY_TOKENS: '100000000',
  PLANS: UNCAPPED_PLANS,
};

interface Api {
  label: string;
  port: number;
  process: Awaited<ReturnType<typeof startApi>>;
}

const FLOOR = 'floor: node:http + pg, the same statements';

type Measured = LoadResult & { apiCpuMsPerTurn: number | null; pgCpuMsPerTurn: number | null; benchCpuMsPerTurn: number | null };

const perTurn = (before: number | null, after: number | null, turns: number) => (before === null || after === null ? null : (after - before) / Math.max(1, turns));

function requestFor(tokens: string[], api: Api, index: number): LoadRequest {
  return { method: 'POST', path: '/api/chat/send', port: api.port, group: api.label, token: tokens[(index * 7919) % tokens.length]!, body: { message: '안녕하세요, 상담을 받고 싶어요.' } };
}

/**
 * Added latency: one client alternating between the two APIs, one turn at a time, so nothing
 * queues behind anything and drift on the machine hits both alike.
 */
async function measureLatency(on: Api, off: Api, tokens: string[]): Promise<{ on: Measured; off: Measured }> {
  const request = (index: number) => requestFor(tokens, index % 2 === 0 ? on : off, index >> 1);
  log(`latency: warming up for ${WARMUP_SECONDS} s (one client, alternating metering on / off)`);
  await runLoad({ port: on.port, seconds: WARMUP_SECONDS, concurrency: 1, request, label: 'latency warm-up' });
  await analyze();
  log(`latency: measuring for ${LATENCY_SECONDS} s`);
  const cpu = [processCpuMs(on.process.pid), processCpuMs(off.process.pid)];
  const result = await runLoad({ port: on.port, seconds: LATENCY_SECONDS, concurrency: 1, request, label: 'latency' });
  const measured = (api: Api, before: number | null): Measured => {
    const group = result.byGroup[api.label]!;
    return { ...group, apiCpuMsPerTurn: perTurn(before, processCpuMs(api.process.pid), group.requests), pgCpuMsPerTurn: null, benchCpuMsPerTurn: null };
  };
  return { on: measured(on, cpu[0]!), off: measured(off, cpu[1]!) };
}

/** Turns (or other requests) per second: many clients on one API, the machine saturated. */
async function measureThroughput(api: Api, label: string, request: (index: number) => LoadRequest): Promise<Measured> {
  log(`throughput ${label}: warming up for ${WARMUP_SECONDS} s`);
  await runLoad({ port: api.port, seconds: WARMUP_SECONDS, concurrency: CONCURRENCY, request, label: `${label} warm-up` });
  await analyze();
  log(`throughput ${label}: measuring for ${SECONDS} s with ${CONCURRENCY} concurrent clients`);
  const cpuBefore = processCpuMs(api.process.pid);
  const pgBefore = postgresCpuMs(DATABASE);
  const bench = process.cpuUsage();
  const result = await runLoad({ port: api.port, seconds: SECONDS, concurrency: CONCURRENCY, request, label });
  const benchUsage = process.cpuUsage(bench);
  return {
    ...result,
    apiCpuMsPerTurn: perTurn(cpuBefore, processCpuMs(api.process.pid), result.requests),
    pgCpuMsPerTurn: perTurn(pgBefore, postgresCpuMs(DATABASE), result.requests),
    benchCpuMsPerTurn: (benchUsage.user + benchUsage.system) / 1_000 / Math.max(1, result.requests),
  };
}

const ms = (value: number | null) => value?.toFixed(2) ?? 'n/a';
const CEILING = 'no turn: GET /api/chat/models';
const ON_AGAIN = 'metering on, again after /v1';
const V1_KEPT = 'metering on, /v1/chat/completions, kept as a conversation';
const V1_NOT_KEPT = 'metering on, /v1/chat/completions, not kept (default)';

async function main() {
  const scratch = await createScratchDatabase(DATABASE);
  const url = scratch.url;
  const fake = await new FakeOpenAiServer().start();
  fake.defaultBehavior = { kind: 'reply', text: '네, 말씀해 주세요. 어떤 고민이 있으신가요?', promptTokens: 40, completionTokens: 12 };
  const apis: Api[] = [];
  const statistics = new pg.Client({ connectionString: url });
  try {
    const users = await seed(url);
    statistics.on('error', () => undefined);
    await statistics.connect();
    analyze = () => statistics.query('analyze');
    const keys = await seedKeys(url, users);
    const tokens = users.map((id) => signSession(SECRET, id));
    const start = async (label: string, metering: boolean, port: number): Promise<Api> => {
      log(`starting the API with ${label} on port ${port}`);
      const api = { label, port, process: await startApi({ ...API_ENV, DATABASE_URL: url, OPENAI_BASE_URL: fake.url, METERING_ENABLED: String(metering) }, port) };
      apis.push(api);
      return api;
    };
    const stop = async (api: Api) => {
      apis.splice(apis.indexOf(api), 1);
      await stopApi(api.process);
    };
    // Both APIs for the alternating latency run, then each alone, so that PostgreSQL's CPU is theirs.
    const latency = await measureLatency(await start('metering on', true, PORT), await start('metering off', false, PORT + 1), tokens);
    for (const api of [...apis]) await stop(api);
    const onApi = await start('metering on', true, PORT);
    const throughputOn = await measureThroughput(onApi, onApi.label, (index) => requestFor(tokens, onApi, index));
    // The same metered turn through /v1 (an API key instead of a session), on the same process.
    const v1 = (label: string, list: string[]) => measureThroughput(onApi, label, (index) => ({ method: 'POST', path: '/v1/chat/completions', port: onApi.port, token: list[index % list.length]!, body: V1_BODY }));
    const throughputV1Kept = await v1(V1_KEPT, keys.kept);
    const throughputV1 = await v1(V1_NOT_KEPT, keys.notKept);
    // /api/chat/send once more after them: the comparison is with both (the process warms up, the tables grow).
    const throughputOnAgain = await measureThroughput(onApi, ON_AGAIN, (index) => requestFor(tokens, onApi, index));
    await stop(onApi);
    const offApi = await start('metering off', false, PORT + 1);
    const throughputOff = await measureThroughput(offApi, offApi.label, (index) => requestFor(tokens, offApi, index));
    // The ceiling of the stack itself: an authenticated request that reaches neither the database nor the model.
    const ceiling = await measureThroughput(offApi, CEILING, (index) => ({ method: 'GET', path: '/api/chat/models', port: offApi.port, token: tokens[index % tokens.length]! }));
    await stop(offApi);
    // The floor: what the machine does with the metered turn's SQL and nothing else.
    log(`starting the floor server on port ${PORT + 2}`);
    const floorApi: Api = { label: FLOOR, port: PORT + 2, process: await startFloor({ DATABASE_URL: url, JWT_SECRET: SECRET, DATABASE_POOL_SIZE: API_ENV.DATABASE_POOL_SIZE }, PORT + 2) };
    apis.push(floorApi);
    const floor = await measureThroughput(floorApi, FLOOR, (index) => requestFor(tokens, floorApi, index));
    await stop(floorApi);

    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(`\nbench:chat — ${USERS.toLocaleString()} users, PostgreSQL, zero-latency fake model`);
    console.log(`machine: ${os.cpus().length} cores (${cpu}), Node ${process.version}; the API, PostgreSQL, the fake model and the load generator share them\n`);
    console.log(`Latency — one client, one turn at a time, alternating between the two APIs (${LATENCY_SECONDS} s):\n`);
    console.log('| phase | turns | p50 ms | p90 ms | p99 ms | API CPU ms/turn |');
    console.log('|---|---|---|---|---|---|');
    for (const result of [latency.on, latency.off]) {
      const label = result === latency.on ? 'metering on' : 'metering off';
      console.log(`| ${label} | ${result.requests.toLocaleString()} | ${ms(result.p50Ms)} | ${ms(result.p90Ms)} | ${ms(result.p99Ms)} | ${ms(result.apiCpuMsPerTurn)} |`);
    }
    console.log(`\nmetering overhead: p50 ${(latency.on.p50Ms - latency.off.p50Ms).toFixed(2)} ms, p99 ${(latency.on.p99Ms - latency.off.p99Ms).toFixed(2)} ms`);
    console.log(`\nThroughput — ${CONCURRENCY} concurrent clients on one API (${SECONDS} s each):\n`);
    console.log('| phase | turns | turns/s | p50 ms | p90 ms | p99 ms | API CPU ms/turn | PostgreSQL CPU ms/turn | load generator + fake model CPU ms/turn | errors |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const [label, result] of [['metering on', throughputOn], [V1_KEPT, throughputV1Kept], [V1_NOT_KEPT, throughputV1], [ON_AGAIN, throughputOnAgain], ['metering off', throughputOff], [CEILING, ceiling], [FLOOR, floor]] as const) {
      console.log(
        `| ${label} | ${result.requests.toLocaleString()} | ${Math.round(result.throughput).toLocaleString()} | ${ms(result.p50Ms)} | ${ms(result.p90Ms)} | ${ms(result.p99Ms)} | ${ms(result.apiCpuMsPerTurn)} | ${ms(result.pgCpuMsPerTurn)} | ${ms(result.benchCpuMsPerTurn)} | ${result.errors} |`,
      );
    }
    console.log(`\nmetered turns/s: ${Math.round(throughputOn.throughput).toLocaleString()} (${Math.round((100 * throughputOn.throughput) / throughputOff.throughput)} % of the same turn unmetered); statuses on ${JSON.stringify(throughputOn.statuses)}, off ${JSON.stringify(throughputOff.statuses)}`);
    const send = (throughputOn.throughput + throughputOnAgain.throughput) / 2;
    const share = (result: Measured) => Math.round((100 * result.throughput) / send);
    const ratio = (value: number) => (value / floor.throughput).toFixed(2);
    console.log(
      `\nagainst the floor (${Math.round(floor.throughput).toLocaleString()} turns/s): metered ${ratio(send)} (the mean of its two runs, ${Math.round(send).toLocaleString()} turns/s), ` +
        `unmetered ${ratio(throughputOff.throughput)}, no-op request ${ratio(ceiling.throughput)}; floor statuses ${JSON.stringify(floor.statuses)}`,
    );
    console.log(`/v1/chat/completions turns/s: kept ${Math.round(throughputV1Kept.throughput).toLocaleString()} (${share(throughputV1Kept)} % of /api/chat/send, the mean of its two runs), not kept ${Math.round(throughputV1.throughput).toLocaleString()} (${share(throughputV1)} %); statuses ${JSON.stringify(throughputV1Kept.statuses)}, ${JSON.stringify(throughputV1.statuses)}`);
  } finally {
    for (const api of apis) await stopApi(api.process);
    await statistics.end().catch(() => undefined);
    await fake.close();
    await scratch.drop();
  }
}

runScript(main);
