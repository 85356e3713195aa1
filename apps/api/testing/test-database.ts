import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../src/database/database.js';

/**
 * A database of the test file's own: a fresh PostgreSQL database when DATABASE_URL is set
 * (dropped again on close), else an in-memory PGlite. Both are migrated.
 */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  if (!process.env.DATABASE_URL) return openDatabase({ url: null, dataDir: null });
  const empty = await createEmptyTestDatabase();
  const handle = await openDatabase({ url: empty.url, poolSize: 20 });
  return {
    ...handle,
    description: `${handle.description} (test)`,
    close: async () => {
      await handle.close();
      await empty.drop();
    },
  };
}

/**
 * An empty PostgreSQL database on DATABASE_URL's server, for a process the test starts (which
 * migrates it itself); named after this process, so a crashed run's is dropped by the global setup.
 */
export async function createEmptyTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('createEmptyTestDatabase needs DATABASE_URL');
  const name = `consult_on_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
