import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { JobSchedulerService } from '../jobs/job-scheduler.service.js';
import { orderRef, OrdersService } from './orders.service.js';
import { PaymentsRepository, type OrderRow } from './payments.repository.js';
import { PAYMENT_PROVIDER } from './providers/provider.factory.js';
import { ProviderDeclinedError, ProviderUnavailableError, type PaymentProvider } from './providers/payment-provider.js';
import { RefundsService } from './refunds.service.js';
import { SubscriptionsService } from './subscriptions.service.js';

export const PAYMENTS_RECONCILE_JOB = 'payments-reconcile';
export const PAYMENTS_RENEW_JOB = 'payments-renew';

export interface ReconcileResult {
  checked: number;
  paid: number;
  failed: number;
  expired: number;
  stillPending: number;
  unavailable: number;
  refundsRetried: number;
  grantMismatches: number;
  [key: string]: number;
}

/**
 * The reconciler (once per cluster, like the hourly sweep): every order pending longer than
 * PAYMENT_RECONCILE_AFTER_MINUTES is asked about at its provider and settled — paid, failed, or
 * expired when the provider never saw it within PAYMENT_ORDER_EXPIRE_MINUTES — and every refund
 * left unanswered is asked again. Then it checks that each paid order has exactly one grant and
 * each purchase grant one paid order (also in /api/admin/ledger/verify and /metrics).
 */
@Injectable()
export class PaymentsReconciliationJob implements OnModuleInit {
  private readonly logger = new Logger(PaymentsReconciliationJob.name);

  constructor(
    private readonly repository: PaymentsRepository,
    private readonly orders: OrdersService,
    private readonly refunds: RefundsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly scheduler: JobSchedulerService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const timeZone = this.config.quota.timeZone;
    this.scheduler.register({ name: PAYMENTS_RECONCILE_JOB, pattern: this.config.payments.reconcileCron, timeZone, run: () => this.reconcile() });
    this.scheduler.register({ name: PAYMENTS_RENEW_JOB, pattern: this.config.payments.renewalCron, timeZone, run: () => this.subscriptions.renewDue() });
  }

  async reconcile(batch = 200): Promise<ReconcileResult> {
    const result: ReconcileResult = { checked: 0, paid: 0, failed: 0, expired: 0, stillPending: 0, unavailable: 0, refundsRetried: 0, grantMismatches: 0 };
    const now = this.clock.now();
    const after = new Date(now.getTime() - this.config.payments.reconcileAfterMinutes * 60_000);
    const pending = await this.repository.pendingOrders(this.repository.db, after, after, batch);
    for (const order of pending) {
      if (order.provider !== this.provider.name) continue;
      result.checked += 1;
      const outcome = await this.settle(order, now);
      result[outcome] = (result[outcome] ?? 0) + 1;
    }
    for (const refund of await this.repository.pendingRefunds(this.repository.db, after, batch)) {
      result.refundsRetried += 1;
      await this.refunds.submit(refund.id);
    }
    const mismatches = await this.repository.grantMismatches(this.repository.db);
    result.grantMismatches = mismatches.length;
    for (const mismatch of mismatches) this.logger.error(`ledger and orders disagree: order ${mismatch.orderId}: ${mismatch.problem}`);
    return result;
  }

  /** One pending order: what the provider says now decides it. */
  private async settle(order: OrderRow, now: Date): Promise<'paid' | 'failed' | 'expired' | 'stillPending' | 'unavailable'> {
    const expired = now.getTime() - order.createdAt.getTime() > this.config.payments.orderExpireMinutes * 60_000;
    try {
      const truth = await this.provider.lookup(orderRef(order));
      if (truth && truth.status !== 'pending') {
        const settled = await this.orders.applyProviderTruth(order.id, truth);
        if (settled.status !== 'PENDING') return settled.status === 'FAILED' ? 'failed' : 'paid';
      }
      if (expired) {
        await this.orders.fail(order.id, { code: 'EXPIRED', message: 'The payment was not completed in time.' });
        return 'expired';
      }
    } catch (error) {
      // One order the provider will not talk about (a bad key, a mismatched order) must not stop the pass.
      if (!(error instanceof ProviderUnavailableError) && !(error instanceof ProviderDeclinedError)) throw error;
      this.logger.warn(`reconciling order ${order.id}: ${this.provider.name} gave no answer (${error.message})`);
      await this.repository.updateOrder(this.repository.db, order.id, { checkedAt: now }, now);
      return 'unavailable';
    }
    await this.repository.updateOrder(this.repository.db, order.id, { checkedAt: now }, now);
    return 'stillPending';
  }
}
