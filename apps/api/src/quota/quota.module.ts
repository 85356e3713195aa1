import { Module, type DynamicModule } from '@nestjs/common';
import { IdempotencyService } from '../common/idempotency.js';
import { PlanCatalogModule } from '../plans/plan-catalog.module.js';
import { AccountsService } from './accounts/accounts.service.js';
import { HoldSweeperService } from './holds/hold-sweeper.service.js';
import { HoldsRepository } from './holds/holds.repository.js';
import { HoldsService } from './holds/holds.service.js';
import { LedgerRepository } from './ledger/ledger.repository.js';
import { LedgerWriter } from './ledger/ledger-writer.js';
import { LevelChangeHub } from './ledger/level-change.js';
import { MemberLimitsService } from './members/member-limits.service.js';
import { MemberUsageRepository } from './members/member-usage.repository.js';
import { AiUsageController, TestUsageController } from './usage/ai-usage.controller.js';
import { UsageReadsService } from './usage/usage-reads.service.js';
import { UsageRepository } from './usage/usage.repository.js';
import { UsageService } from './usage/usage.service.js';
import { VerificationRepository } from './verification/verification.repository.js';
import { VerificationService } from './verification/verification.service.js';

const providers = [
  LevelChangeHub,
  LedgerRepository,
  LedgerWriter,
  MemberUsageRepository,
  HoldsRepository,
  HoldsService,
  MemberLimitsService,
  AccountsService,
  UsageRepository,
  UsageReadsService,
  UsageService,
  VerificationRepository,
  VerificationService,
  IdempotencyService,
  HoldSweeperService,
];

@Module({ imports: [PlanCatalogModule], providers, exports: [...providers, PlanCatalogModule] })
export class QuotaModule {
  /** The HTTP side; `test-usage` is left out entirely in production, so it answers 404 there. */
  static withControllers(options: { testUsage: boolean }): DynamicModule {
    return {
      module: QuotaHttpModule,
      imports: [QuotaModule],
      controllers: options.testUsage ? [AiUsageController, TestUsageController] : [AiUsageController],
    };
  }
}

@Module({})
export class QuotaHttpModule {}
