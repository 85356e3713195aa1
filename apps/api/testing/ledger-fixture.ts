import { randomUUID } from 'node:crypto';
import { ManualClock } from '../src/common/clock.js';
import { IdempotencyService } from '../src/common/idempotency.js';
import { IdempotencyRepository } from '../src/common/idempotency.repository.js';
import type { AppConfig } from '../src/config/app-config.js';
import type { DatabaseHandle } from '../src/database/database.js';
import { users } from '../src/database/schema.js';
import { MetricsRepository } from '../src/metrics/metrics.repository.js';
import { MetricsService } from '../src/metrics/metrics.service.js';
import { PlanCatalog } from '../src/plans/plan-catalog.js';
import { PlansRepository } from '../src/plans/plans.repository.js';
import { AccountsService } from '../src/quota/accounts/accounts.service.js';
import { HoldsRepository } from '../src/quota/holds/holds.repository.js';
import { MemberUsageRepository } from '../src/quota/members/member-usage.repository.js';
import { HoldsService } from '../src/quota/holds/holds.service.js';
import { LedgerRepository } from '../src/quota/ledger/ledger.repository.js';
import { LedgerWriter } from '../src/quota/ledger/ledger-writer.js';
import { LevelChangeHub } from '../src/quota/ledger/level-change.js';
import { UsageReadsService } from '../src/quota/usage/usage-reads.service.js';
import { UsageRepository } from '../src/quota/usage/usage.repository.js';
import { VerificationRepository } from '../src/quota/verification/verification.repository.js';
import { VerificationService } from '../src/quota/verification/verification.service.js';
import { ledgerHarness, type LedgerHarness } from './ledger-harness.js';
import { createTestDatabase } from './test-database.js';
import { testConfig } from './test-config.js';

/** A real ledger on the test database, with a clock the test moves. */
export interface LedgerFixture {
  database: DatabaseHandle;
  clock: ManualClock;
  config: AppConfig;
  ledger: LedgerHarness;
  createUser(): Promise<string>;
  close(): Promise<void>;
}

export async function createLedgerFixture(start = new Date('2026-11-10T03:00:00Z'), overrides: Record<string, string> = {}): Promise<LedgerFixture> {
  const database = await createTestDatabase();
  const clock = new ManualClock(start);
  const config = testConfig(overrides);
  const repository = new LedgerRepository(database);
  const plans = new PlanCatalog(new PlansRepository(database), config, clock);
  await plans.onModuleInit();
  const levels = new LevelChangeHub();
  const writer = new LedgerWriter(repository, new IdempotencyService(new IdempotencyRepository(database)), levels, plans, new MetricsService(new MetricsRepository(database)), config, clock);
  const reads = new UsageReadsService(new UsageRepository(database), writer, clock);
  const members = new MemberUsageRepository(database);
  const ledger = ledgerHarness({
    holds: new HoldsService(writer, new HoldsRepository(database), members, repository, levels, config, clock),
    accounts: new AccountsService(writer, repository, reads, members),
    verification: new VerificationService(new VerificationRepository(database), members),
  });
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
