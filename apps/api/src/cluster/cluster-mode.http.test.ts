import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childPids, getOnNewConnection, startBuiltApi, type BuiltApi } from '../../testing/built-api.js';
import { deleteRedisKeys } from '../../testing/redis-cleanup.js';
import { createEmptyTestDatabase } from '../../testing/test-database.js';

// The built server (`npm run build` first, as CI does) in production with two workers. Cluster
// mode needs PostgreSQL (PGlite lives in one process) and Redis (limits shared by the workers).
const runs = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

async function workersAnswering(api: BuiltApi, requests: number): Promise<Set<number>> {
  const workers = new Set<number>();
  for (let index = 0; index < requests; index += 1) {
    const response = await getOnNewConnection(`${api.url}/health`);
    expect(response.status).toBe(200);
    workers.add((JSON.parse(response.body) as { worker: number }).worker);
  }
  return workers;
}

async function until<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!runs)('cluster mode (npm start in production, WEB_CONCURRENCY=2)', () => {
  const prefix = `consult-on-test-cluster:${process.pid}:`;
  const admin = { email: 'ops@cluster.test', password: 'Quiet-river-4821-ops' };
  const metricsToken = 'cluster-metrics-token-0123456789';
  const production = (databaseUrl: string) => ({
    NODE_ENV: 'production',
    WEB_CONCURRENCY: '2',
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL!,
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: 'cluster-secret-cluster-secret-cluster-01',
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: 'sk_live_unused',
    STRIPE_WEBHOOK_SECRET: 'whsec_unused',
    PUBLIC_URL: 'https://consult-on.example.com',
    SERVE_WEB: 'false',
    LOG_LEVEL: 'warn',
  });
  let database: { url: string; drop(): Promise<void> };
  let api: BuiltApi;
  let stopped: Awaited<ReturnType<BuiltApi['stop']>> | null = null;

  beforeAll(async () => {
    database = await createEmptyTestDatabase();
    api = await startBuiltApi({
      ...production(database.url),
      // Both workers create the admin at the same moment: one must, neither may fail.
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      // A sweep every second, so the test sees ticks run while two workers share the schedule.
      NOTIFY_SWEEP_CRON: '* * * * * *',
      METRICS_TOKEN: metricsToken,
    });
  });

  afterAll(async () => {
    if (api && !stopped) await api.stop();
    await database?.drop();
    await deleteRedisKeys(process.env.REDIS_URL!, prefix).catch(() => 0);
  });

  it('prints one banner, from the primary, naming its two workers', () => {
    const workers = childPids(api.child.pid!);
    expect(workers).toHaveLength(2);
    expect(api.banner).toContain(`Workers:  2 (WEB_CONCURRENCY=2), pids ${workers.join(', ')}, under primary ${api.child.pid}`);
    expect(api.output().split('Consult-On API is running')).toHaveLength(2);
  });

  it('serves requests from both workers, with the admin both of them seeded created once', async () => {
    expect(await workersAnswering(api, 8)).toEqual(new Set([1, 2]));
    const login = await fetch(`${api.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: { role: string } }).user.role).toBe('ADMIN');
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ count: string }>('select count(*) from users where role = $1', ['ADMIN']);
      expect(Number(rows[0]!.count)).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('answers a scrape of /metrics with both workers added up, whichever takes it', async () => {
    const healthCount = async () => {
      const response = await getOnNewConnection(`${api.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      expect(response.status).toBe(200);
      expect(response.body).toContain('consult_on_cluster_workers{state="configured"} 2');
      expect(response.body).toContain('consult_on_cluster_workers{state="answered"} 2');
      // Read from the database by each worker: the same figure, not doubled.
      expect(response.body).toMatch(/consult_on_open_holds\{measure="holds"\} 0\n/);
      return Number(/consult_on_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} (\d+)/.exec(response.body)?.[1] ?? 0);
    };
    const before = await healthCount();
    expect(await workersAnswering(api, 10)).toEqual(new Set([1, 2]));
    // Two scrapes, so each worker is likely to have taken one: both count all ten.
    expect(await healthCount()).toBe(before + 10);
    expect(await healthCount()).toBe(before + 10);
  });

  it('a lock made through one worker stops the session on both at once (the caches forget it together)', async () => {
    const json = { 'content-type': 'application/json' };
    const registered = await fetch(`${api.url}/api/auth/register`, { method: 'POST', headers: json, body: JSON.stringify({ email: 'locked@cluster.test', password: 'Silent-harbor-7315' }) });
    expect(registered.status).toBe(201);
    const user = (await registered.json()) as { accessToken: string; user: { id: string } };
    const adminLogin = await fetch(`${api.url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify(admin) });
    const adminToken = ((await adminLogin.json()) as { accessToken: string }).accessToken;
    const me = () => getOnNewConnection(`${api.url}/api/auth/me`, { headers: { authorization: `Bearer ${user.accessToken}` } });
    // Both workers read the account (new connections go to each in turn)…
    const warmed = performance.now();
    for (let index = 0; index < 6; index += 1) expect((await me()).status).toBe(200);
    // …then one of them locks it, and neither serves the session any more — within the second
    // that each would otherwise trust its copy.
    const locked = await fetch(`${api.url}/api/admin/users/${user.user.id}/suspend`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
    expect(locked.status).toBe(200);
    for (let index = 0; index < 6; index += 1) expect((await me()).status).toBe(401);
    expect(performance.now() - warmed).toBeLessThan(1_000);
  });

  it('runs each tick of a scheduled job once for the two workers', async () => {
    // Every second for three seconds: BullMQ hands each tick to one worker, job_runs records it once.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ tick: Date; finished: boolean }>("select tick, finished_at is not null as finished from job_runs where job = 'usage-sweep' order by tick");
      expect(rows.length).toBeGreaterThanOrEqual(2);
      const seconds = rows.map((row) => row.tick.getTime() / 1_000);
      // One run per second of the schedule, on the second: never two for one tick, nor one between.
      expect(seconds.every(Number.isInteger)).toBe(true);
      expect(new Set(seconds).size).toBe(seconds.length);
      expect(rows.slice(0, -1).every((row) => row.finished)).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('replaces a worker killed with SIGKILL, and serves requests all the while', async () => {
    const [victim, survivor] = childPids(api.child.pid!);
    process.kill(victim!, 'SIGKILL');
    // A connection the primary hands to the worker in the instant before it learns of the death is
    // lost with it (Node's cluster keeps no copy to give to another); from then on the others take them.
    await until('the primary to see the exit', () => (api.output().includes('worker exited: replacing it') ? true : null), 5_000);
    // The replacement starts after a second's back-off: meanwhile the survivor answers every request.
    expect((await workersAnswering(api, 6)).size).toBeGreaterThanOrEqual(1);
    const workers = await until('a replacement worker', () => {
      const now = childPids(api.child.pid!);
      return now.length === 2 && !now.includes(victim!) ? now : null;
    });
    expect(workers).toContain(survivor);
    // The replacement is worker 3 (cluster ids are never reused); it serves once it listens.
    const answering = await until('the replacement to answer', async () => {
      const seen = await workersAnswering(api, 4);
      return seen.has(3) ? seen : null;
    });
    expect(answering.size).toBe(2);
  });

  it('stops the primary and every worker on SIGTERM, with exit code 0', async () => {
    const workers = childPids(api.child.pid!);
    expect(workers).toHaveLength(2);
    stopped = await api.stop();
    expect(stopped).toMatchObject({ code: 0, signal: null });
    expect(stopped.ms).toBeLessThan(15_000);
    for (const pid of workers) expect(existsSync(`/proc/${pid}`), `worker ${pid} is gone`).toBe(false);
    await expect(getOnNewConnection(`${api.url}/health`)).rejects.toThrow(/ECONNREFUSED/);
    // .ci/run looks for this line: on PostgreSQL and Redis the test must run, not skip.
    console.log(`cluster mode ran: two workers, one replaced, stopped in ${Math.round(stopped.ms)} ms`);
  });

  it('exits 1 when the workers cannot start, as one process would, rather than forking them again and again', async () => {
    const nowhere = new URL(database.url);
    nowhere.pathname = '/consult_on_test_does_not_exist';
    await expect(startBuiltApi(production(nowhere.toString()))).rejects.toThrow(/exited \(1\) before it started/);
  });
});
