import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** Debian's path; elsewhere whatever `pgbouncer` is on the PATH. */
const DEBIAN_BINARY = '/usr/sbin/pgbouncer';

/** A database PgBouncer serves under `alias`: where PostgreSQL is (a host, or a Unix socket's directory) and how many server connections it may open. */
export interface PooledDatabase {
  host: string;
  port: number;
  dbname: string;
  poolSize: number;
}

/** One line of PgBouncer's `SHOW STATS`: totals since it started, for one database alias. */
export interface PgbouncerStats {
  transactions: number;
  queries: number;
}

/**
 * A PgBouncer of a test's own in transaction mode (what a production pooler in front of
 * PostgreSQL runs), in front of the given databases, on its own port, with trust authentication
 * and an admin console for `SHOW STATS`. Started from the machine's binary as the `postgres`
 * user when run as root (PgBouncer refuses to run as root).
 */
export class PrivatePgbouncer {
  private readonly directory = mkdtempSync(path.join(tmpdir(), 'consult-on-pgbouncer-'));
  private process: ChildProcess | null = null;

  constructor(
    readonly port: number,
    private readonly databases: Record<string, PooledDatabase>,
  ) {}

  /** Whether a PgBouncer binary is installed (CI installs Debian's). */
  static binary(): string | null {
    try {
      accessSync(DEBIAN_BINARY, constants.X_OK);
      return DEBIAN_BINARY;
    } catch {
      try {
        return execFileSync('sh', ['-c', 'command -v pgbouncer']).toString().trim() || null;
      } catch {
        return null;
      }
    }
  }

  /** Whether this PgBouncer (1.21 and later) has `max_prepared_statements`. */
  static tracksPreparedStatements(binary: string): boolean {
    const version = /PgBouncer (\d+)\.(\d+)/i.exec(execFileSync(binary, ['--version']).toString());
    return version !== null && (Number(version[1]) > 1 || Number(version[2]) >= 21);
  }

  /** The URL of a database alias through PgBouncer (`application_name` names the clients on the server side). */
  url(alias: string, applicationName = 'consult-on'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${alias}?application_name=${encodeURIComponent(applicationName)}`;
  }

  async start(): Promise<void> {
    const binary = PrivatePgbouncer.binary();
    if (!binary) throw new Error('pgbouncer is not installed (apt-get install pgbouncer)');
    const databases = Object.entries(this.databases).map(
      ([alias, db]) => `${alias} = host=${db.host} port=${db.port} dbname=${db.dbname} pool_size=${db.poolSize}`,
    );
    writeFileSync(path.join(this.directory, 'users.txt'), '"postgres" ""\n');
    writeFileSync(
      path.join(this.directory, 'pgbouncer.ini'),
      [
        '[databases]',
        ...databases,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${this.port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${path.join(this.directory, 'users.txt')}`,
        'admin_users = postgres',
        'pool_mode = transaction',
        'max_client_conn = 500',
        // A PostgreSQL that restarts is reconnected to within a second, not the default 15.
        'server_login_retry = 1',
        // From 1.21 PgBouncer can keep prepared statements itself (on by default from 1.24): off,
        // as in 1.18 (Debian 12's), the case the API's unnamed statements are for.
        ...(PrivatePgbouncer.tracksPreparedStatements(binary) ? ['max_prepared_statements = 0'] : []),
        `logfile = ${path.join(this.directory, 'pgbouncer.log')}`,
        `pidfile = ${path.join(this.directory, 'pgbouncer.pid')}`,
        '',
      ].join('\n'),
    );
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(this.directory, uidOf('postgres'), gidOf('postgres'));
    for (const file of ['users.txt', 'pgbouncer.ini']) if (asRoot) chownSync(path.join(this.directory, file), uidOf('postgres'), gidOf('postgres'));
    this.process = spawn(binary, [path.join(this.directory, 'pgbouncer.ini')], {
      stdio: 'ignore',
      ...(asRoot ? { uid: uidOf('postgres'), gid: gidOf('postgres') } : {}),
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) break;
      if (await accepts(this.port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Not left behind holding the port for the next run.
    this.process.kill('SIGKILL');
    throw new Error(`pgbouncer did not start on port ${this.port}: ${this.log().slice(-2_000)}`);
  }

  /** `SHOW STATS` of one alias, read on the admin console. */
  async stats(alias: string): Promise<PgbouncerStats> {
    const rows = await this.admin<{ database: string; total_xact_count: string; total_query_count: string }>('SHOW STATS');
    const row = rows.find((candidate) => candidate.database === alias);
    return { transactions: Number(row?.total_xact_count ?? 0), queries: Number(row?.total_query_count ?? 0) };
  }

  /** The server connections PgBouncer holds for an alias now (`SHOW SERVERS`). */
  async serverConnections(alias: string): Promise<number> {
    return (await this.admin<{ database: string }>('SHOW SERVERS')).filter((row) => row.database === alias).length;
  }

  /** The client connections PgBouncer serves for an alias now (`SHOW CLIENTS`). */
  async clientConnections(alias: string): Promise<number> {
    return (await this.admin<{ database: string }>('SHOW CLIENTS')).filter((row) => row.database === alias).length;
  }

  /** A command on the admin console (simple protocol only, as PgBouncer's console requires). */
  private async admin<T>(command: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${this.port}/pgbouncer` });
    await client.connect();
    try {
      return (await client.query(command)).rows as T[];
    } finally {
      await client.end();
    }
  }

  log(): string {
    try {
      return readFileSync(path.join(this.directory, 'pgbouncer.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Ends the process at once, without waiting (for a process's `exit` handler). */
  kill(): void {
    this.process?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}

function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
