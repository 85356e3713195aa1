import { Module } from '@nestjs/common';
import { QuotaModule } from '../quota/quota.module.js';
import { AdminPlansController, PlansController } from './plans.controller.js';
import { PlansService } from './plans.service.js';

/** Plans: choosing one, and the admin's plan table. (The catalog the ledger reads is PlanCatalogModule.) */
@Module({
  imports: [QuotaModule],
  controllers: [PlansController, AdminPlansController],
  providers: [PlansService],
  exports: [PlansService],
})
export class PlansModule {}
