import type { INestApplication } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { AuthService } from './auth/auth.service.js';
import { systemClock, type Clock } from './common/clock.js';
import type { AppConfig } from './config/app-config.js';
import { openDatabase, openReadDatabase, type DatabaseHandle } from './database/database.js';
import { DEMO_ACCOUNTS } from './demo-accounts.js';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface RunningApp {
  app: INestApplication;
  database: DatabaseHandle;
  /** The read replica's pool (DATABASE_READ_URL), or null. */
  readDatabase: DatabaseHandle | null;
  url: string;
  /** Whether the web app's static export was found and is served at `/`. */
  webServed: boolean;
  close(): Promise<void>;
}

/** Opens (and migrates) the database, seeds the configured accounts and listens. */
export async function startServer(config: AppConfig, clock: Clock = systemClock): Promise<RunningApp> {
  const database = await openDatabase({
    url: config.database.url,
    dataDir: path.join(config.database.dataDir, 'pglite'),
    poolSize: config.database.poolSize,
    migrationUrl: config.database.migrationUrl,
    preparedStatements: config.database.preparedStatements,
  });
  const { readUrl, poolSize, preparedStatements } = config.database;
  const readDatabase = readUrl ? openReadDatabase(readUrl, { poolSize, preparedStatements }) : null;
  const closeDatabases = async () => {
    await readDatabase?.close();
    await database.close();
  };
  try {
    const app = await createApp({ config, database, readDatabase, clock });
    const auth = app.get(AuthService);
    await auth.fillCanonicalEmails();
    if (config.admin) await auth.ensureAdmin(config.admin.email, config.admin.password, config.admin.promoteExisting);
    if (config.demoAccounts) {
      for (const account of DEMO_ACCOUNTS) {
        await auth.createUser(account.email, account.password, account.role, 'ko');
      }
    }
    await app.listen(config.port, config.host);
    const address = app.getHttpServer().address() as { port: number };
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const url = config.publicUrl ?? `http://${host}:${address.port}`;
    return {
      app,
      database,
      readDatabase,
      url,
      webServed: config.webDir !== null && existsSync(path.join(config.webDir, 'index.html')),
      close: async () => {
        await app.close();
        await closeDatabases();
      },
    };
  } catch (error) {
    await closeDatabases();
    throw error;
  }
}
