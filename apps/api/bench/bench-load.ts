/**
 * npm run bench:load — a mixed load over two API instances on PostgreSQL and Redis for 60 s:
 * chat turns, usage reads and notification polling from 2,000 users. Prints throughput,
 * p50/p99 and errors.
 */
import os from 'node:os';
import pg from 'pg';
import { DEFAULT_QUOTA_POLICY, periodOf } from '@consult-on/quota-policy';
import { openDatabase } from '../src/database/database.js';
import { FakeOpenAiServer } from '../testing/fake-openai-server.js';
import { UNCAPPED_PLANS } from '../testing/test-config.js';
import { deleteRedisKeys } from '../testing/redis-cleanup.js';
import { createScratchDatabase, log, runLoad, runScript, signSession, startApi, stopApi } from './bench-support.js';

const USERS = Number(process.env.BENCH_USERS ?? 2_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE = 'consult_on_bench_load';
const SECRET = 'bench-secret-bench-secret-bench-secret-00';
const PREFIX = `consult-on-bench-load:${process.pid}:`;
const PORTS = [3_920, 3_921];

async function main() {
  const scratch = await createScratchDatabase(DATABASE);
  const url = scratch.url;
  const fake = await new FakeOpenAiServer().start();
  fake.defaultBehavior = { kind: 'reply', text: '네, 말씀해 주세요.', promptTokens: 40, completionTokens: 6 };
  const apis = [];
  try {
    const handle = await openDatabase({ url, poolSize: 1 });
    await handle.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const period = periodOf(new Date(), DEFAULT_QUOTA_POLICY.timeZone).key;
    log(`seeding ${USERS.toLocaleString()} users…`);
    const { rows } = await client.query<{ id: string }>(`insert into users (email, password_hash) select 'load-' || g || '@bench.local', 'x' from generate_series(1, $1) g returning id`, [USERS]);
    await client.query(`insert into token_accounts (user_id, period_key, free_tokens, period_capacity_tokens) select id, $1, 100000000, 100000000 from users`, [period]);
    await client.query(`insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, capacity_delta) select id, 'MONTHLY_GRANT', $1, 100000000, 100000000, 100000000 from users`, [period]);
    await client.end();
    const env = {
      NODE_ENV: 'development', DATABASE_URL: url, REDIS_URL, REDIS_KEY_PREFIX: PREFIX, JWT_SECRET: SECRET, OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: fake.url,
      RATE_LIMIT_PER_MINUTE: '100000000', DEMO_ACCOUNTS: 'false', QUOTA_FREE_MONTHLY_TOKENS: '100000000', SERVE_WEB: 'false', PLANS: UNCAPPED_PLANS,
    };
    for (const port of PORTS) apis.push(await startApi(env, port));
    const tokens = rows.map((row) => signSession(SECRET, row.id));
    // One turn in four, the rest reads: usage (as the dashboard) and the notification bell.
    const request = (index: number) => {
      const token = tokens[(index * 7919) % tokens.length]!;
      const port = PORTS[index % 2]!;
      if (index % 4 === 0) return { method: 'POST', path: '/api/chat/send', token, body: { message: '부하 시험 중입니다' }, port };
      if (index % 4 === 1) return { method: 'GET', path: '/api/ai-usage', token, port };
      return { method: 'GET', path: '/api/notifications?limit=10', token, port };
    };
    log(`measuring for ${SECONDS} s with ${CONCURRENCY} clients over two instances`);
    const result = await runLoad({ port: PORTS[0]!, seconds: SECONDS, concurrency: CONCURRENCY, request, label: 'mixed load' });
    for (const api of apis) await stopApi(api);
    apis.length = 0;
    console.log(`\nbench:load — ${USERS.toLocaleString()} users, two instances, PostgreSQL + Redis, ${CONCURRENCY} clients, ${SECONDS} s; ${os.cpus().length} cores, Node ${process.version}`);
    console.log('| requests | requests/s | p50 ms | p90 ms | p99 ms | errors | statuses |');
    console.log('|---|---|---|---|---|---|---|');
    console.log(`| ${result.requests.toLocaleString()} | ${Math.round(result.throughput).toLocaleString()} | ${result.p50Ms.toFixed(2)} | ${result.p90Ms.toFixed(2)} | ${result.p99Ms.toFixed(2)} | ${result.errors} | ${JSON.stringify(result.statuses)} |`);
  } finally {
    for (const api of apis) api.kill('SIGKILL');
    await fake.close();
    await scratch.drop();
    await deleteRedisKeys(REDIS_URL, PREFIX).catch(() => 0);
  }
}

runScript(main);
