import { randomUUID } from 'node:crypto';
import { ManualClock } from '../common/clock.js';
import { IdempotencyService } from '../common/idempotency.js';
import type { AppConfig } from '../config/app-config.js';
import type { DatabaseHandle } from '../database/database.js';
import { users } from '../database/schema.js';
import { LedgerRepository } from '../quota/ledger.repository.js';
import { LedgerService } from '../quota/ledger.service.js';
import { LevelChangeHub } from '../quota/level-change.js';
import { createTestDatabase } from './test-database.js';
import { testConfig } from './test-config.js';

/** A real ledger on the test database, with a clock the test moves. */
export interface LedgerFixture {
  database: DatabaseHandle;
  clock: ManualClock;
  config: AppConfig;
  ledger: LedgerService;
  createUser(): Promise<string>;
  close(): Promise<void>;
}

export async function createLedgerFixture(start = new Date('2026-11-10T03:00:00Z'), overrides: Record<string, string> = {}): Promise<LedgerFixture> {
  const database = await createTestDatabase();
  const clock = new ManualClock(start);
  const config = testConfig(overrides);
  const ledger = new LedgerService(new LedgerRepository(database), new IdempotencyService(database), new LevelChangeHub(), config, clock);
  return {
    database,
    clock,
    config,
    ledger,
    async createUser() {
      const id = randomUUID();
      await database.db.transaction(async (tx) => {
        await tx.insert(users).values({ id, email: `${id}@test.local`, passwordHash: 'not-a-hash' });
        await ledger.openAccount(tx, id);
      });
      return id;
    },
    close: () => database.close(),
  };
}
