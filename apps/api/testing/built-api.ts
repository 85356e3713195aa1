import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The production build, `apps/api/dist/main.js`, from wherever this file runs: the source
 * (apps/api/testing/, under Vitest) or the tools' build (apps/api/dist-tools/testing/).
 */
export const BUILT_MAIN = [new URL('../dist/main.js', import.meta.url), new URL('../../dist/main.js', import.meta.url)].map((url) => fileURLToPath(url)).find((file) => existsSync(file));

/** A port nothing listens on right now (the kernel's pick; free again the moment it is returned). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The processes a process has forked and that still run (Linux /proc; empty elsewhere or once it has exited). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export interface BuiltApi {
  child: ChildProcess;
  port: number;
  url: string;
  /** The start-up banner, as printed once the server (every worker, in cluster mode) listens. */
  banner: string;
  /** Everything the process has written to stdout so far. */
  output(): string;
  /** SIGTERM, then the exit: its code and signal, and how long the stop took. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/**
 * Starts the built API (`node dist/main.js`) in a process of its own with `env` on top of this
 * process's environment, and waits for its banner: unlike a /health probe, which the first worker
 * answers, the banner is printed only when every worker of cluster mode listens.
 */
export async function startBuiltApi(env: Record<string, string>, options: { port?: number; timeoutMs?: number } = {}): Promise<BuiltApi> {
  if (!BUILT_MAIN) throw new Error('apps/api/dist/main.js is missing: run `npm run build` first');
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [BUILT_MAIN], {
    env: { ...process.env, HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the API did not print its banner within ${options.timeoutMs ?? 60_000} ms:\n${stdout}`));
    }, options.timeoutMs ?? 60_000);
    const look = () => {
      const start = stdout.indexOf('  Consult-On API is running');
      const end = start >= 0 ? stdout.indexOf('\n\n', start) : -1;
      if (end < 0) return;
      clearTimeout(timer);
      child.stdout!.off('data', look);
      resolve(stdout.slice(start, end));
    };
    child.stdout!.on('data', look);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the API exited (${code ?? signal}) before it started:\n${stdout}`));
    });
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    banner,
    output: () => stdout,
    async stop() {
      const started = performance.now();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const result = await exited;
      return { ...result, ms: performance.now() - started };
    },
  };
}

/**
 * A GET on a connection of its own (no keep-alive): in cluster mode the primary hands each new
 * connection to the next worker, so successive calls reach every worker in turn.
 */
export function getOnNewConnection(url: string, options: { headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, headers: options.headers, timeout: options.timeoutMs ?? 10_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url}: no answer within ${options.timeoutMs ?? 10_000} ms`)));
    request.on('error', reject);
  });
}
