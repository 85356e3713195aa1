import pg from 'pg';

/**
 * Drops test databases left behind by runs that crashed before their clean-up: each is named
 * after the process that created it, so any whose process is gone is stale.
 */
export default async function dropStaleTestDatabases(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>("select datname from pg_database where datname like 'consult_on_test_%'");
    for (const { datname } of rows) {
      const pid = Number(/^consult_on_test_(\d+)_/.exec(datname)?.[1]);
      if (Number.isInteger(pid) && !isAlive(pid)) await client.query(`drop database if exists ${datname} with (force)`);
    }
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
