import { Module, type DynamicModule } from '@nestjs/common';
import { IdempotencyService } from '../common/idempotency.js';
import { AiUsageController, TestUsageController } from './ai-usage.controller.js';
import { HoldSweeperService } from './hold-sweeper.service.js';
import { LedgerRepository } from './ledger.repository.js';
import { LedgerService } from './ledger.service.js';
import { LevelChangeHub } from './level-change.js';
import { UsageService } from './usage.service.js';

const providers = [LevelChangeHub, LedgerRepository, LedgerService, UsageService, IdempotencyService, HoldSweeperService];

@Module({ providers, exports: providers })
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
