import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { IdempotencyKeyRequiredError, NotFoundError, NotRefundableError, RefundTooSmallError } from '../common/errors.js';
import { IdempotencyService } from '../common/idempotency.js';
import { AccountsService } from '../quota/accounts/accounts.service.js';
import { statusAfterRefunds } from './order-rules.js';
import { accountOf, orderRef, OrdersService, refundView } from './orders.service.js';
import type { OrderView, RefundResultView } from './payments.dto.js';
import { PaymentsRepository, type OrderRow, type RefundRow } from './payments.repository.js';
import { PAYMENT_PROVIDER } from './providers/provider.factory.js';
import { ProviderDeclinedError, ProviderUnavailableError, type PaymentProvider } from './providers/payment-provider.js';
import { amountForTokens } from './token-packages.js';

/**
 * Refunds, by the rule in the README: only purchased tokens still unspent are refunded, pro rata
 * (the money of `n` tokens is amountForTokens(refunded + n) − amountForTokens(refunded), so the
 * parts add up to the price). The tokens are taken back in the ledger first — a balance never
 * goes negative and spent tokens are never refunded as money — then the provider is asked; a
 * refusal gives the tokens back, no answer leaves the refund pending for the reconciler, which
 * asks again with the same idempotency key (one refund at the provider, however often asked).
 */
@Injectable()
export class RefundsService {
  private readonly logger = new Logger(RefundsService.name);

  constructor(
    private readonly repository: PaymentsRepository,
    private readonly orders: OrdersService,
    private readonly accounts: AccountsService,
    private readonly idempotency: IdempotencyService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async ordersOf(userId: string): Promise<OrderView[]> {
    return this.orders.views(await this.repository.listOrders(this.repository.db, userId, 100, null));
  }

  /** An admin's refund of `tokens` of an order (default: all its unspent tokens). One refund per Idempotency-Key. */
  async refund(adminId: string, orderId: string, request: { tokens?: number; reason: string }, idempotencyKey: string | null): Promise<RefundResultView> {
    if (!idempotencyKey) throw new IdempotencyKeyRequiredError();
    const refundId = await this.repository.db.transaction((tx) =>
      this.idempotency.run(tx, { ownerId: adminId, scope: 'refund', key: idempotencyKey, request: { orderId, ...request } }, async () => {
        const order = await this.repository.lockOrder(tx, orderId);
        if (!order) throw new NotFoundError();
        if (order.status !== 'PAID' && order.status !== 'PARTIALLY_REFUNDED') throw new NotRefundableError();
        const remaining = order.tokens - order.refundedTokens;
        const wanted = request.tokens ?? remaining;
        if (remaining <= 0 || wanted > remaining) throw new NotRefundableError();
        const id = randomUUID();
        // Exact when the admin named a number; otherwise as many of the order's tokens as are unspent.
        // Purchased tokens are spent oldest order first: those of later orders are theirs, not this one's.
        const { recoveredTokens } = await this.accounts.refundPayment(tx, accountOf(order), {
          paymentId: order.id,
          refundId: id,
          tokens: wanted,
          exact: request.tokens !== undefined,
          keep: () => this.repository.unspentOfLaterOrders(tx, order),
        });
        if (recoveredTokens === 0) throw new NotRefundableError();
        const amount = amountForTokens(order, order.refundedTokens + recoveredTokens) - amountForTokens(order, order.refundedTokens);
        if (amount <= 0) throw new RefundTooSmallError();
        const now = this.clock.now();
        await this.repository.insertRefund(tx, {
          id,
          paymentId: order.id,
          amount,
          tokens: recoveredTokens,
          status: 'PENDING',
          origin: 'admin',
          reason: request.reason,
          actorId: adminId,
          createdAt: now,
          updatedAt: now,
        });
        await this.repository.updateOrder(tx, order.id, { refundedTokens: order.refundedTokens + recoveredTokens }, now);
        this.logger.log(`admin ${adminId} refunds ${recoveredTokens} tokens (${amount} ${order.currency}) of order ${order.id}`);
        return id;
      }),
    );
    const refund = await this.submit(refundId);
    const order = (await this.repository.findOrder(this.repository.db, orderId))!;
    return { refund: refundView(refund), order: await this.orders.view(order) };
  }

  /**
   * Asks the provider for a pending refund and records its answer; the reconciler calls it again
   * for those left pending. Once the provider gave the refund an id, it is only asked where that
   * refund stands — never to refund again.
   */
  async submit(refundId: string): Promise<RefundRow> {
    const refund = await this.repository.db.transaction((tx) => this.repository.lockRefund(tx, refundId));
    if (!refund) throw new NotFoundError();
    if (refund.status !== 'PENDING') return refund;
    const order = (await this.repository.findOrder(this.repository.db, refund.paymentId))!;
    try {
      const answer = refund.providerRefundId
        ? await this.provider.refundStatus(orderRef(order), { refundId: refund.providerRefundId, amount: refund.amount })
        : await this.provider.refund(orderRef(order), { amount: refund.amount, reason: refund.reason, idempotencyKey: refund.id });
      if (!answer) return this.refused(refund.id, 'the provider does not know this refund');
      if (answer.status === 'failed') return this.refused(refund.id, 'the provider refused the refund');
      if (answer.status === 'pending') {
        await this.repository.setRefund(this.repository.db, refund.id, { status: 'PENDING', providerRefundId: answer.refundId }, this.clock.now());
        return { ...refund, providerRefundId: answer.refundId };
      }
      return this.succeeded(refund.id, answer.refundId);
    } catch (error) {
      if (error instanceof ProviderDeclinedError) {
        // "Already refunded" and the like: the money may have gone back after all (an earlier try). Look before giving tokens back.
        if (await this.providerRefunded(order, refund)) return this.succeeded(refund.id, refund.providerRefundId ?? `${error.code}`);
        return this.refused(refund.id, `${error.code}: ${error.message}`);
      }
      if (error instanceof ProviderUnavailableError) {
        this.logger.warn(`refund ${refund.id}: ${this.provider.name} did not answer; left pending for the reconciler`);
        await this.repository.setRefund(this.repository.db, refund.id, { status: 'PENDING' }, this.clock.now());
        return refund;
      }
      throw error;
    }
  }

  /** Whether the provider's payment shows this refund's money returned on top of the refunds we know were. */
  private async providerRefunded(order: OrderRow, refund: RefundRow): Promise<boolean> {
    try {
      const truth = await this.provider.lookup(orderRef(order));
      return truth !== null && truth.refundedAmount >= order.refundedAmount + refund.amount;
    } catch {
      return false;
    }
  }

  private async succeeded(refundId: string, providerRefundId: string): Promise<RefundRow> {
    return this.repository.db.transaction(async (tx) => {
      const refund = (await this.repository.lockRefund(tx, refundId))!;
      if (refund.status !== 'PENDING') return refund;
      const order = (await this.repository.lockOrder(tx, refund.paymentId))!;
      const now = this.clock.now();
      const refundedAmount = order.refundedAmount + refund.amount;
      await this.repository.setRefund(tx, refund.id, { status: 'SUCCEEDED', providerRefundId }, now);
      await this.repository.updateOrder(tx, order.id, { refundedAmount, status: statusAfterRefunds(order, refundedAmount) }, now);
      return { ...refund, status: 'SUCCEEDED' as const, providerRefundId };
    });
  }

  /** The provider said no: the refund did not happen, so its tokens go back to the buyer. */
  private async refused(refundId: string, message: string): Promise<RefundRow> {
    return this.repository.db.transaction(async (tx) => {
      const refund = (await this.repository.lockRefund(tx, refundId))!;
      if (refund.status !== 'PENDING') return refund;
      const order = (await this.repository.lockOrder(tx, refund.paymentId))!;
      const now = this.clock.now();
      await this.accounts.reverseRefund(tx, accountOf(order), { paymentId: order.id, refundId: refund.id, tokens: refund.tokens });
      await this.repository.setRefund(tx, refund.id, { status: 'FAILED', failureMessage: message.slice(0, 500) }, now);
      await this.repository.updateOrder(tx, order.id, { refundedTokens: order.refundedTokens - refund.tokens }, now);
      this.logger.warn(`refund ${refund.id} of order ${order.id} refused by ${this.provider.name}: ${message}; ${refund.tokens} tokens given back`);
      return { ...refund, status: 'FAILED' as const, failureMessage: message };
    });
  }
}
