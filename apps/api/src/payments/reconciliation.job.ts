import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { JobSchedulerService } from '../jobs/job-scheduler.service.js';
import { orderRef, OrdersService, RECHECK_FOR_MS } from './orders.service.js';
import { EXPIRED, PaymentsRepository, type OrderRow } from './payments.repository.js';
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
  errors: number;
  refundsRetried: number;
  grantMismatches: number;
  [key: string]: number;
}

/**
 * The reconciler (once per cluster, like the hourly sweep): every order pending longer than
 * PAYMENT_RECONCILE_AFTER_MINUTES is asked about at its provider and settled — paid, failed, or
 * expired when the provider never saw it within PAYMENT_ORDER_EXPIRE_MINUTES (and asked about for
 * a day more) — and every refund left unanswered is asked about again. Then it checks that each
 * paid order has exactly one grant and each purchase grant one paid order (also in
 * /api/admin/ledger/verify and the consult_on_payment_grant_mismatches gauge).
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
    const result: ReconcileResult = { checked: 0, paid: 0, failed: 0, expired: 0, stillPending: 0, unavailable: 0, errors: 0, refundsRetried: 0, grantMismatches: 0 };
    const now = this.clock.now();
    const after = new Date(now.getTime() - this.config.payments.reconcileAfterMinutes * 60_000);
    const window = { olderThan: after, checkedBefore: after, now };
    for (const order of await this.repository.ordersToReconcile(this.repository.db, this.provider.name, window, batch)) {
      result.checked += 1;
      const outcome = await this.settle(order, now);
      result[outcome] = (result[outcome] ?? 0) + 1;
    }
    for (const refund of await this.repository.pendingRefunds(this.repository.db, after, batch)) {
      result.refundsRetried += 1;
      try {
        await this.refunds.submit(refund.id);
      } catch (error) {
        result.errors += 1;
        this.logger.error(`reconciling refund ${refund.id}: ${(error as Error).message}`);
      }
    }
    result.grantMismatches = (await this.orders.grantMismatches()).length;
    return result;
  }

  /** One order: what the provider says now decides it. An error on one order never stops the pass. */
  private async settle(order: OrderRow, now: Date): Promise<'paid' | 'failed' | 'expired' | 'stillPending' | 'unavailable' | 'errors'> {
    const expired = now.getTime() - order.createdAt.getTime() > this.config.payments.orderExpireMinutes * 60_000;
    let outcome: 'paid' | 'failed' | 'expired' | 'stillPending' | 'unavailable' | 'errors' = 'stillPending';
    try {
      const truth = await this.provider.lookup(orderRef(order));
      const settled = truth && truth.status !== 'pending' ? await this.orders.applyProviderTruth(order.id, truth) : order;
      if (settled.status !== 'PENDING' && settled.status !== 'FAILED') return 'paid';
      if (settled.status === 'FAILED') outcome = order.status === 'PENDING' ? 'failed' : 'stillPending';
      else if (expired) {
        // Asked about for a day more: a payment completed at the last moment whose webhook was lost is still credited.
        await this.orders.fail(order.id, { code: EXPIRED, message: 'The payment was not completed in time.' }, RECHECK_FOR_MS);
        outcome = 'expired';
      }
    } catch (error) {
      // A provider that will not talk about one order (down, a bad key, a mismatched order) must not stop the pass.
      const known = error instanceof ProviderUnavailableError || error instanceof ProviderDeclinedError;
      if (known) this.logger.warn(`reconciling order ${order.id}: ${this.provider.name} gave no answer (${error.message})`);
      else this.logger.error(`reconciling order ${order.id}: ${(error as Error).stack ?? String(error)}`);
      outcome = known ? 'unavailable' : 'errors';
    }
    await this.repository.updateOrder(this.repository.db, order.id, { checkedAt: now }, now);
    return outcome;
  }
}
