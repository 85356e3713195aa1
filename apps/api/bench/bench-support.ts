import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase } from '../src/database/database.js';
import { childPids, freePort } from '../testing/built-api.js';

/** A signed HS256 session token, as the API would issue it (the bench shares its JWT_SECRET). */
export function signSession(secret: string, userId: string, role: 'USER' | 'ADMIN' = 'USER'): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: userId, role, iat: now, exp: now + 86_400 })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

export function log(message: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * Starts the built API (`dist/main.js`) in a child process and waits for /health.
 * BENCH_API_NODE_ARGS adds Node flags to it, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile.
 */
export async function startApi(env: Record<string, string>, port: number): Promise<ChildProcess> {
  // This file runs from dist-tools/bench/; the API it starts is the production build in dist/.
  return startServerProcess(fileURLToPath(new URL('../../dist/main.js', import.meta.url)), env, port);
}

/** Starts bench:chat's floor server (floor-server.ts: node:http + pg, a metered turn's statements) like the API. */
export async function startFloor(env: Record<string, string>, port: number): Promise<ChildProcess> {
  return startServerProcess(fileURLToPath(new URL('./floor-server.js', import.meta.url)), env, port);
}

async function startServerProcess(main: string, env: Record<string, string>, port: number): Promise<ChildProcess> {
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      if (response.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${main} did not start within 30 s`);
}

export async function stopApi(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc (Linux; null elsewhere).
 * Less sensitive than latency to other work on the machine: it counts the process's own cycles.
 */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * CPU time of the PostgreSQL backends connected to `database` on this machine, in ms (Linux; null
 * when none is visible). Backends that exit during the measurement are not counted: take it
 * while the pool is open.
 */
export function postgresCpuMs(database: string): number | null {
  let total = 0;
  let found = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!command.startsWith('postgres: ') || !command.includes(` ${database} `)) continue;
      const cpu = processCpuMs(Number(entry));
      if (cpu === null) continue;
      total += cpu;
      found = true;
    } catch {
      // exited meanwhile
    }
  }
  return found ? total : null;
}

/**
 * CPU time every core of the machine has been busy so far, in ms (Linux /proc/stat; null
 * elsewhere): what all processes used, this bench's and its neighbours' alike.
 */
export function machineBusyCpuMs(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: everything but idle and iowait is busy.
    const busy = fields.slice(0, 8).reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
    return (busy * 1_000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<number, number>;
  seconds: number;
  throughput: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** The `fraction` percentile (nearest rank below) of values in any order. */
export function percentileOf(values: number[], fraction: number): number {
  return percentile([...values].sort((a, b) => a - b), fraction);
}

/** A scratch database migrated to the current schema, with a client on it (BENCH_KEEP=1 keeps and reuses it). */
export async function migratedScratch(name: string): Promise<{ url: string; reused: boolean; client: pg.Client; drop(): Promise<void> }> {
  const scratch = await createScratchDatabase(name, { keep: process.env.BENCH_KEEP === '1' });
  const handle = await openDatabase({ url: scratch.url, poolSize: 1 });
  await handle.close();
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  return {
    url: scratch.url,
    reused: scratch.reused,
    client,
    async drop() {
      await client.end();
      await scratch.drop();
    },
  };
}

/** A request to the started API as `token`, timed; a status other than 2xx throws with the start of the body. */
export function timedCaller(port: number): (method: string, path: string, token: string) => Promise<{ ms: number; body: string }> {
  return async (method, path, token) => {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const body = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${body.slice(0, 200)}`);
    return { ms: performance.now() - started, body };
  };
}

/** The bench's administrator (made, or made an admin again on a reused database): a session for it. */
export async function benchAdmin(client: pg.Client, secret: string): Promise<string> {
  const { rows } = await client.query(`insert into users (email, password_hash, role) values ('bench-admin@bench.local', 'x', 'ADMIN')
     on conflict (email) do update set role = 'ADMIN' returning id`);
  return signSession(secret, rows[0].id, 'ADMIN');
}

function summarize(latencies: number[], statuses: Record<number, number>, seconds: number): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  const errors = Object.entries(statuses).reduce((sum, [status, count]) => sum + (Number(status) === 0 || Number(status) >= 500 ? count : 0), 0);
  return {
    requests: sorted.length,
    errors,
    statuses,
    seconds,
    throughput: sorted.length / seconds,
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    p99Ms: percentile(sorted, 0.99),
  };
}

export interface LoadRequest {
  method: string;
  path: string;
  token: string;
  body?: unknown;
  port?: number;
  /** Requests of one group are also summarized apart (`byGroup`). */
  group?: string;
}

/**
 * Sends requests from `concurrency` loops over keep-alive connections for `seconds`, and
 * reports throughput and latency percentiles, overall and per group. Bounded in time; stops by itself.
 */
export async function runLoad(options: {
  port: number;
  seconds: number;
  concurrency: number;
  request: (index: number) => LoadRequest;
  label: string;
}): Promise<LoadResult & { byGroup: Record<string, LoadResult> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const groups = new Map<string, { latencies: number[]; statuses: Record<number, number> }>();
  let total = 0;
  let counter = 0;
  const started = performance.now();
  const endAt = started + options.seconds * 1_000;
  let lastReport = started;

  const send = (spec: LoadRequest) =>
    new Promise<number>((resolve) => {
      const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
      const request = http.request(
        {
          agent,
          host: '127.0.0.1',
          port: spec.port ?? options.port,
          method: spec.method,
          path: spec.path,
          headers: { authorization: `Bearer ${spec.token}`, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', () => resolve(0));
      request.end(body);
    });

  async function loop() {
    while (performance.now() < endAt) {
      const spec = options.request(counter++);
      const begin = performance.now();
      const status = await send(spec);
      const key = spec.group ?? '';
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { latencies: [], statuses: {} }));
      group.latencies.push(performance.now() - begin);
      group.statuses[status] = (group.statuses[status] ?? 0) + 1;
      total += 1;
      const now = performance.now();
      if (now - lastReport > 5_000) {
        lastReport = now;
        log(`  ${options.label}: ${total} requests, ${Math.round(total / ((now - started) / 1_000))}/s so far`);
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  agent.destroy();
  const seconds = (performance.now() - started) / 1_000;
  const all = { latencies: [] as number[], statuses: {} as Record<number, number> };
  const byGroup: Record<string, LoadResult> = {};
  for (const [key, group] of groups) {
    for (const latency of group.latencies) all.latencies.push(latency);
    for (const [status, count] of Object.entries(group.statuses)) all.statuses[Number(status)] = (all.statuses[Number(status)] ?? 0) + count;
    if (key) byGroup[key] = summarize(group.latencies, group.statuses, seconds);
  }
  return { ...summarize(all.latencies, all.statuses, seconds), byGroup };
}

/** A database of the benchmark's own on DATABASE_URL's server (recreated if left over); drop() removes it. */
/**
 * A database of its own for a bench, dropped afterwards. With `keep`, an existing one is used as it
 * is and nothing is dropped (`reused` says which): to time a change against the same seed again.
 */
export async function createScratchDatabase(name: string, options: { keep?: boolean } = {}): Promise<{ url: string; reused: boolean; drop(): Promise<void> }> {
  const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
  const reused = options.keep === true && rowCount === 1;
  if (!reused) {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  }
  const target = new URL(baseUrl);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    reused,
    async drop() {
      if (!options.keep) await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** Runs a script's main function; a failure prints and exits non-zero. */
export function runScript(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

export interface PrivateNginx {
  child: ChildProcess;
  /** The port it listens on (loopback). */
  port: number;
  /** The master and its workers, for processCpuMs. */
  pids(): number[];
  stop(): Promise<void>;
}

/**
 * A private nginx in front of `upstreamPorts` (loopback), as deploy/nginx.conf sets one up: least
 * connections, kept-alive upstream connections, no buffering, no retry on another instance. Its
 * configuration, pid file, error log and temporary files live in a temporary folder of its own,
 * it listens on a free port and runs in the foreground as this process's child (no root needed;
 * Debian: apt-get install nginx-light, or NGINX=/path/to/nginx).
 */
export async function startNginx(upstreamPorts: number[], options: { workerProcesses?: number | 'auto' } = {}): Promise<PrivateNginx> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'consult-on-nginx-'));
  // Run as root, nginx's workers drop to `nobody`, who must reach the temporary folders inside.
  chmodSync(dir, 0o755);
  const temp = (name: string) => path.join(dir, name);
  const config = `
worker_processes ${options.workerProcesses ?? 'auto'};
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  upstream consult_on {
    least_conn;
${upstreamPorts.map((upstream) => `    server 127.0.0.1:${upstream} max_fails=3 fail_timeout=5s;`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 128k;
    location / {
      proxy_pass http://consult_on;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 1;
    }
  }
}
`;
  writeFileSync(temp('nginx.conf'), config);
  const binary = process.env.NGINX ?? '/usr/sbin/nginx';
  const child = spawn(binary, ['-p', dir, '-e', temp('error.log'), '-c', temp('nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => child.once('error', (error) => reject(new Error(`${binary} did not start (${error.message}): apt-get install nginx-light, or set NGINX`))));
  failed.catch(() => undefined);
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
    await exited;
    remove();
  };
  const ready = (async () => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${readFileSync(temp('error.log'), 'utf8').slice(-2_000)}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('nginx did not answer /health within 15 s');
  })();
  try {
    await Promise.race([ready, failed]);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    remove();
    throw error;
  }
  return { child, port, pids: () => [child.pid!, ...childPids(child.pid!)], stop };
}
