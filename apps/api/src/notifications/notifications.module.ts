import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { QuotaModule } from '../quota/quota.module.js';
import { NotificationStreamService } from './notification-stream.service.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsRepository } from './notifications.repository.js';
import { NotificationsService } from './notifications.service.js';
import { UsageSweepJob } from './usage-sweep.job.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';

@Module({
  imports: [QuotaModule, JobsModule],
  controllers: [NotificationsController],
  providers: [NotificationsRepository, NotificationsService, NotificationStreamService, UsageSweepJob, WebhookDeliveriesRepository, WebhookDeliveryService],
  exports: [NotificationsService, WebhookDeliveryService],
})
export class NotificationsModule {}
