import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
import type { PgDatabase, PgDialect, PgQueryResultHKT, PgSession, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema.js';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or a transaction: what repositories run their statements on. */
export type Executor = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  /** Where the data lives, for the start-up banner (never a password). */
  description: string;
  close(): Promise<void>;
}

export const DATABASE = Symbol('DATABASE');
/**
 * Where the admin statistics and the reports' on-demand reads run: a pool on a read replica
 * (DATABASE_READ_URL), else the primary's (`DATABASE`) itself. Nothing that writes, and nothing
 * of the ledger, uses it: a replica answers what the primary knew a moment ago.
 */
export const READ_DATABASE = Symbol('READ_DATABASE');

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** A lock id every instance agrees on, so that instances starting together migrate one at a time. */
const MIGRATION_LOCK_ID = 7_020_424_001;

export interface OpenDatabaseOptions {
  url: string | null;
  dataDir?: string | null;
  poolSize?: number;
  /**
   * Where the migrations run (under a session-level advisory lock), when not `url`: behind a
   * connection pooler in transaction mode, a direct connection to PostgreSQL (DATABASE_MIGRATION_URL).
   */
  migrationUrl?: string | null;
  /** `false` (DATABASE_PREPARED_STATEMENTS=false): every statement is sent unnamed. Default true. */
  preparedStatements?: boolean;
}

/** Opens PostgreSQL when a URL is given, else PGlite in `dataDir` (in memory when `dataDir` is null), and migrates it. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    await migratePostgres(options.migrationUrl ?? options.url);
    return openPostgres(options.url, options);
  }
  return openPglite(options.dataDir ?? null);
}

/**
 * A pool on a read replica (DATABASE_READ_URL): never migrated — a replica takes no writes and
 * follows the primary's schema — and opened without a round trip (its first read connects).
 */
export function openReadDatabase(url: string, options: Pick<OpenDatabaseOptions, 'poolSize' | 'preparedStatements'> = {}): DatabaseHandle {
  return openPostgres(url, options);
}

/**
 * A client that sends every statement unnamed, for PgBouncer in transaction mode (before 1.21):
 * it gives a connection to PostgreSQL to a client for one transaction only, so a statement
 * prepared by name on one server connection is missing on the next ("prepared statement … does
 * not exist") or already there for another client ("… already exists"). Unnamed, a statement is
 * parsed and planned again each time, inside the same round trip; nothing else changes, so the
 * repositories keep their names (`.prepare('…')`, `executePrepared`).
 */
class UnnamedStatementClient extends pg.Client {
  // pg's `query` has a dozen overloads; this one forwards whatever it is given.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  override query(config: any, values?: any, callback?: any): any {
    const named = config !== null && typeof config === 'object' && typeof config.submit !== 'function' && config.name !== undefined;
    return super.query(named ? { ...config, name: undefined } : config, values, callback);
  }
}

function openPostgres(url: string, options: Pick<OpenDatabaseOptions, 'poolSize' | 'preparedStatements'>): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    ...(options.preparedStatements === false ? { Client: UnnamedStatementClient } : {}),
  });
  // A client that loses its connection (a database restart) must not crash the process: the
  // pool reports idle clients here, and each client gets its own listener for when it is
  // checked out; the query in flight fails with the error and the pool replaces the client.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = drizzlePg({ client: pool, schema }) as unknown as Database;
  const target = new URL(url);
  return {
    db,
    kind: 'postgres',
    description: `PostgreSQL ${target.hostname}:${target.port || 5432}${target.pathname}${options.preparedStatements === false ? ' (unnamed statements)' : ''}`,
    close: () => pool.end(),
  };
}

async function migratePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await migratePg(drizzlePg({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}

async function openPglite(dataDir: string | null): Promise<DatabaseHandle> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  const db = drizzlePglite({ client, schema });
  await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    description: dataDir ? `embedded PGlite in ${dataDir}` : 'embedded PGlite in memory',
    close: () => client.close(),
  };
}

/** Rows of a raw `execute`, whichever driver ran it. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/**
 * Runs a raw statement as a named prepared statement: node-postgres parses and plans it once per
 * connection (PGlite runs it as usual; with DATABASE_PREPARED_STATEMENTS=false it goes unnamed). `name` must always come with the same SQL text — only the
 * parameters may differ. Goes through drizzle's session, as `execute` does, but with a name.
 */
export async function executePrepared(executor: Executor, name: string, query: SQL): Promise<unknown> {
  const { dialect, session } = executor as unknown as { dialect: PgDialect; session: PgSession };
  return session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false).execute();
}
