import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { QuotaModule } from '../quota/quota.module.js';
import { AdjustmentsController } from './adjustments.controller.js';
import { JobsController } from './jobs.controller.js';
import { TokenStatsController } from './token-stats/token-stats.controller.js';
import { TokenStatsRepository } from './token-stats/token-stats.repository.js';
import { TokenStatsService } from './token-stats/token-stats.service.js';
import { UsersAdminController } from './users.controller.js';

@Module({
  imports: [QuotaModule, JobsModule, AuthModule, PaymentsModule],
  controllers: [AdjustmentsController, JobsController, TokenStatsController, UsersAdminController],
  providers: [TokenStatsRepository, TokenStatsService],
})
export class AdminModule {}
