import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { QuotaModule } from '../quota/quota.module.js';
import { CheckoutService } from './checkout.service.js';
import { OrdersService } from './orders.service.js';
import { AdminPaymentsController, OrdersController, OrganizationPurchaseController, PaymentWebhooksController, PlanCheckoutController, PurchaseController } from './payments.controller.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { PlanCatalogModule } from '../plans/plan-catalog.module.js';
import { PlansModule } from '../plans/plans.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { PaymentsRepository } from './payments.repository.js';
import { createPaymentProvider, PAYMENT_PROVIDER } from './providers/provider.factory.js';
import { PaymentsReconciliationJob } from './reconciliation.job.js';
import { RefundsService } from './refunds.service.js';
import { SubscriptionsService } from './subscriptions.service.js';

@Module({
  imports: [QuotaModule, JobsModule, PlansModule, PlanCatalogModule, NotificationsModule, OrganizationsModule],
  controllers: [PurchaseController, OrdersController, PlanCheckoutController, OrganizationPurchaseController, PaymentWebhooksController, AdminPaymentsController],
  providers: [
    { provide: PAYMENT_PROVIDER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createPaymentProvider(config.payments) },
    PaymentsRepository,
    OrdersService,
    CheckoutService,
    SubscriptionsService,
    RefundsService,
    PaymentsReconciliationJob,
  ],
  exports: [OrdersService, PaymentsRepository, SubscriptionsService],
})
export class PaymentsModule {}
