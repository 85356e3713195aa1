/**
 * npm run bench:load — the scaling curve: the same mixed load (chat turns, usage reads,
 * notification reads from 2,000 users) through a private nginx in front of 1, 2 and 3 API
 * instances on one PostgreSQL and Redis, one configuration after the other in one run, and
 * (BENCH_CLUSTER_WORKERS) one `main.js` in cluster mode. Prints throughput, latency, errors and
 * the CPU each part of the machine spent per request.
 */
import os from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DEFAULT_QUOTA_POLICY, periodOf } from '@consult-on/quota-policy';
import { openDatabase } from '../src/database/database.js';
import { childPids, freePort, startBuiltApi } from '../testing/built-api.js';
import { FakeOpenAiServer } from '../testing/fake-openai-server.js';
import { UNCAPPED_PLANS } from '../testing/test-config.js';
import { deleteRedisKeys } from '../testing/redis-cleanup.js';
import {
  createScratchDatabase,
  log,
  machineBusyCpuMs,
  postgresCpuMs,
  processCpuMs,
  runLoad,
  runScript,
  signSession,
  startApi,
  startNginx,
  stopApi,
  type LoadResult,
} from './bench-support.js';

const USERS = Number(process.env.BENCH_USERS ?? 2_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
/** Instance counts to measure, in order: each a separate `main.js` with one process (WEB_CONCURRENCY=1). */
const INSTANCES = (process.env.BENCH_INSTANCES ?? '1,2,3').split(',').map((count) => Number(count.trim()));
/** Workers of the cluster-mode row (one `main.js`, WEB_CONCURRENCY); 0 leaves the row out. */
const CLUSTER_WORKERS = Number(process.env.BENCH_CLUSTER_WORKERS ?? 2);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE = 'consult_on_bench_load';
const SECRET = 'bench-secret-bench-secret-bench-secret-00';
const PREFIX = `consult-on-bench-load:${process.pid}:`;

for (const count of [...INSTANCES, CLUSTER_WORKERS]) {
  if (!Number.isInteger(count) || count < 0 || count > 16) throw new Error(`BENCH_INSTANCES and BENCH_CLUSTER_WORKERS take whole numbers up to 16, not ${count}`);
}

/** What one configuration of API processes is, and how to stop it. */
interface Deployment {
  label: string;
  ports: number[];
  /** Every process of the API (instances; a cluster's primary and workers), for their CPU time. */
  pids(): number[];
  stop(): Promise<void>;
}

interface Row {
  label: string;
  result: LoadResult;
  apiCpuMs: number | null;
  postgresCpuMs: number | null;
  nginxCpuMs: number | null;
  benchCpuMs: number;
  /** Redis's CPU (its own process, from its INFO's process_id) and the commands it ran, per request. */
  redisCpuMs: number | null;
  redisCommands: number | null;
  /** Cores kept busy meanwhile by everything else: Redis, PostgreSQL's own background, other work on the machine. */
  otherCores: number | null;
}

async function main() {
  const scratch = await createScratchDatabase(DATABASE);
  const url = scratch.url;
  const fake = await new FakeOpenAiServer().start();
  fake.defaultBehavior = { kind: 'reply', text: '네, 말씀해 주세요.', promptTokens: 40, completionTokens: 6 };
  let running: Deployment | null = null;
  const rows: Row[] = [];
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  try {
    await redis.connect();
    const handle = await openDatabase({ url, poolSize: 1 });
    await handle.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const period = periodOf(new Date(), DEFAULT_QUOTA_POLICY.timeZone).key;
    log(`seeding ${USERS.toLocaleString()} users…`);
    const { rows: users } = await client.query<{ id: string }>(`insert into users (email, password_hash) select 'load-' || g || '@bench.local', 'x' from generate_series(1, $1) g returning id`, [USERS]);
    await client.query(`insert into token_accounts (user_id, period_key, free_tokens, period_capacity_tokens) select id, $1, 100000000, 100000000 from users`, [period]);
    await client.query(`insert into ledger_entries (user_id, kind, period_key, amount_tokens, free_delta, capacity_delta) select id, 'MONTHLY_GRANT', $1, 100000000, 100000000, 100000000 from users`, [period]);
    await client.end();
    // Production, as deployed (each row says how many processes: WEB_CONCURRENCY is always set).
    const env = {
      NODE_ENV: 'production', DATABASE_URL: url, REDIS_URL, REDIS_KEY_PREFIX: PREFIX, JWT_SECRET: SECRET, OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: fake.url,
      PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_live_bench', STRIPE_WEBHOOK_SECRET: 'whsec_bench', PUBLIC_URL: 'https://consult-on.example.com',
      RATE_LIMIT_PER_MINUTE: '100000000', DEMO_ACCOUNTS: 'false', QUOTA_FREE_MONTHLY_TOKENS: '100000000', SERVE_WEB: 'false', PLANS: UNCAPPED_PLANS, LOG_LEVEL: 'warn',
    };
    const tokens = users.map((row) => signSession(SECRET, row.id));
    // One turn in four, the rest reads: usage (as the dashboard) and the notification bell.
    const request = (index: number) => {
      const token = tokens[(index * 7919) % tokens.length]!;
      if (index % 4 === 0) return { method: 'POST', path: '/api/chat/send', token, body: { message: '부하 시험 중입니다' } };
      if (index % 4 === 1) return { method: 'GET', path: '/api/ai-usage', token };
      return { method: 'GET', path: '/api/notifications?limit=10', token };
    };

    const deployments: (() => Promise<Deployment>)[] = [
      ...INSTANCES.filter((count) => count > 0).map((count) => () => startInstances(count, env)),
      ...(CLUSTER_WORKERS > 0 ? [() => startCluster(CLUSTER_WORKERS, env)] : []),
    ];
    for (const start of deployments) {
      running = await start();
      const nginx = await startNginx(running.ports);
      try {
        log(`${running.label}: warming up for ${WARMUP_SECONDS} s, then measuring for ${SECONDS} s with ${CONCURRENCY} clients through nginx`);
        if (WARMUP_SECONDS > 0) await runLoad({ port: nginx.port, seconds: WARMUP_SECONDS, concurrency: CONCURRENCY, request, label: 'warm-up' });
        const redisBefore = await redisNow(redis);
        const before = cpuNow(running, nginx.pids());
        const result = await runLoad({ port: nginx.port, seconds: SECONDS, concurrency: CONCURRENCY, request, label: running.label });
        const after = cpuNow(running, nginx.pids());
        const redisAfter = await redisNow(redis);
        const perRequest = (key: 'api' | 'postgres' | 'nginx') => {
          const start = before[key];
          const end = after[key];
          return start === null || end === null ? null : (end - start) / result.requests;
        };
        rows.push({
          label: running.label,
          result,
          apiCpuMs: perRequest('api'),
          postgresCpuMs: perRequest('postgres'),
          nginxCpuMs: perRequest('nginx'),
          benchCpuMs: (after.bench - before.bench) / result.requests,
          redisCpuMs: redisBefore.cpuMs === null || redisAfter.cpuMs === null ? null : (redisAfter.cpuMs - redisBefore.cpuMs) / result.requests,
          redisCommands: (redisAfter.commands - redisBefore.commands) / result.requests,
          otherCores: otherCores(before, after, result.seconds),
        });
      } finally {
        await nginx.stop();
        await running.stop();
        running = null;
      }
    }
    printTable(rows);
  } finally {
    await running?.stop().catch(() => undefined);
    await fake.close();
    await scratch.drop();
    await deleteRedisKeys(REDIS_URL, PREFIX).catch(() => 0);
    redis.disconnect();
  }
}

/** Redis's CPU so far (its process, by the pid its INFO gives; null when not on this machine) and the commands it has run. */
async function redisNow(redis: Redis): Promise<{ cpuMs: number | null; commands: number }> {
  const info = await redis.info();
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return { cpuMs: processCpuMs(field('process_id')), commands: field('total_commands_processed') };
}

/** CPU time so far of the API processes, the database's backends, nginx, this process (load and fake model) and the whole machine, in ms. */
function cpuNow(deployment: Deployment, nginxPids: number[]) {
  const sum = (pids: number[]) => pids.reduce<number | null>((total, pid) => {
    const cpu = processCpuMs(pid);
    return total === null || cpu === null ? null : total + cpu;
  }, 0);
  const usage = process.cpuUsage();
  return { api: sum(deployment.pids()), postgres: postgresCpuMs(DATABASE), nginx: sum(nginxPids), bench: (usage.user + usage.system) / 1_000, machine: machineBusyCpuMs() };
}

type CpuSample = ReturnType<typeof cpuNow>;

function otherCores(before: CpuSample, after: CpuSample, seconds: number): number | null {
  const parts = ['machine', 'api', 'postgres', 'nginx'] as const;
  if (parts.some((part) => before[part] === null || after[part] === null)) return null;
  const delta = (part: (typeof parts)[number]) => after[part]! - before[part]!;
  const ours = delta('api') + delta('postgres') + delta('nginx') + (after.bench - before.bench);
  return Math.max(0, delta('machine') - ours) / (seconds * 1_000);
}

async function startInstances(count: number, env: Record<string, string>): Promise<Deployment> {
  const apis: ChildProcess[] = [];
  const ports: number[] = [];
  try {
    for (let index = 0; index < count; index += 1) {
      const port = await freePort();
      apis.push(await startApi({ ...env, WEB_CONCURRENCY: '1' }, port));
      ports.push(port);
    }
  } catch (error) {
    for (const api of apis) api.kill('SIGKILL');
    throw error;
  }
  return {
    label: `${count} instance${count > 1 ? 's' : ''}`,
    ports,
    pids: () => apis.map((api) => api.pid!),
    stop: async () => {
      for (const api of apis) await stopApi(api);
    },
  };
}

async function startCluster(workers: number, env: Record<string, string>): Promise<Deployment> {
  const api = await startBuiltApi({ ...env, WEB_CONCURRENCY: String(workers) });
  const primary = api.child.pid!;
  return {
    label: `1 instance, cluster mode, WEB_CONCURRENCY=${workers}`,
    ports: [api.port],
    pids: () => [primary, ...childPids(primary)],
    stop: async () => {
      await api.stop();
    },
  };
}

/** The CPU one request costs the whole stack on this machine: with `cores` free, it could serve at most cores × 1,000 / this requests a second. */
function stackCpuMs(row: Row): number | null {
  if (row.apiCpuMs === null || row.postgresCpuMs === null || row.nginxCpuMs === null) return null;
  return row.apiCpuMs + row.postgresCpuMs + row.nginxCpuMs + row.benchCpuMs;
}

function printTable(rows: Row[]) {
  const ms = (value: number | null) => (value === null ? 'n/a' : value.toFixed(2));
  console.log(
    `\nbench:load — ${USERS.toLocaleString()} users, PostgreSQL + Redis, nginx in front, ${CONCURRENCY} clients, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s per row; ` +
      `${os.availableParallelism()} cores, Node ${process.version}`,
  );
  console.log(
    '| instances | requests | requests/s | p50 ms | p90 ms | p99 ms | errors | API CPU ms/request | PostgreSQL CPU ms/request | nginx CPU ms/request | load generator CPU ms/request | all four, ms/request | Redis CPU ms/request | Redis commands/request | other processes, cores busy | statuses |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const { result } = row;
    console.log(
      `| ${row.label} | ${result.requests.toLocaleString()} | ${Math.round(result.throughput).toLocaleString()} | ${result.p50Ms.toFixed(2)} | ${result.p90Ms.toFixed(2)} | ${result.p99Ms.toFixed(2)} | ${result.errors} | ` +
        `${ms(row.apiCpuMs)} | ${ms(row.postgresCpuMs)} | ${ms(row.nginxCpuMs)} | ${ms(row.benchCpuMs)} | ${ms(stackCpuMs(row))} | ${ms(row.redisCpuMs)} | ${ms(row.redisCommands)} | ${ms(row.otherCores)} | ${JSON.stringify(result.statuses)} |`,
    );
  }
}

runScript(main);
