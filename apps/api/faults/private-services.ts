import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A PostgreSQL server and a Redis server of the fault suite's own, on spare ports, built from
 * the machine's binaries: the suite stops and restarts them without disturbing the machine's
 * services or anyone else's tests.
 */
export class PrivatePostgres {
  private readonly bin = `/usr/lib/postgresql/${readdirSync('/usr/lib/postgresql')[0]}/bin`;
  private readonly directory = mkdtempSync(path.join(tmpdir(), 'consult-on-faults-pg-'));

  constructor(readonly port: number) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** The directory of its Unix socket: a PgBouncer in front of it connects there, so that its connections are told apart from TCP ones. */
  get socketDirectory(): string {
    return this.directory;
  }

  private asPostgres(command: string, args: string[]): void {
    execFileSync('runuser', ['-u', 'postgres', '--', path.join(this.bin, command), ...args], { stdio: 'ignore' });
  }

  start(): void {
    chownSync(this.directory, uidOf('postgres'), gidOf('postgres'));
    this.asPostgres('initdb', ['-D', path.join(this.directory, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    this.ctl('start');
  }

  restart(): void {
    this.ctl('restart', ['-m', 'fast']);
  }

  stop(): void {
    try {
      this.ctl('stop', ['-m', 'immediate']);
    } finally {
      rmSync(this.directory, { recursive: true, force: true });
    }
  }

  private ctl(action: string, extra: string[] = []): void {
    this.asPostgres('pg_ctl', [
      '-D', path.join(this.directory, 'data'),
      '-l', path.join(this.directory, 'log'),
      '-o', `-p ${this.port} -k ${this.directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      '-w', action, ...extra,
    ]);
  }
}

export class PrivateRedis {
  private process: ChildProcess | null = null;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}

function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
