import { Module } from '@nestjs/common';
import { QuotaModule } from '../quota/quota.module.js';
import { PaymentsWebhookController, PurchaseController } from './payments.controller.js';
import { PaymentsRepository } from './payments.repository.js';
import { PaymentsService } from './payments.service.js';

@Module({
  imports: [QuotaModule],
  controllers: [PurchaseController, PaymentsWebhookController],
  providers: [PaymentsRepository, PaymentsService],
})
export class PaymentsModule {}
