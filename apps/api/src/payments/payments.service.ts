import { Inject, Injectable } from '@nestjs/common';
import type { Locale } from '@consult-on/quota-policy';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { IdempotencyKeyRequiredError, InvalidSignatureError, NotFoundError, PaymentNotReadyError, PaymentsUnavailableError } from '../common/errors.js';
import { IdempotencyService } from '../common/idempotency.js';
import type { Transaction } from '../database/database.js';
import type { PaymentStatus } from '../database/schema.js';
import { AccountsService } from '../quota/accounts/accounts.service.js';
import { UsageService } from '../quota/usage/usage.service.js';
import type { PaymentWebhookDto, PurchaseResultView, PurchaseView, TokenPackageView, WebhookResultView } from './payments.dto.js';
import { PaymentsRepository, type PaymentRow } from './payments.repository.js';
import { findTokenPackage, TOKEN_PACKAGES } from './token-packages.js';
import { verifyWebhookSignature } from './webhook-signature.js';

/**
 * What a provider event does to a payment: the new status, null when it changes nothing (a
 * repeat or a stale event), or `retry-later` when it arrived before the event it depends on.
 * A payment that failed may still be paid later (the provider retried the charge).
 */
export function nextPaymentStatus(status: PaymentStatus, event: PaymentWebhookDto['type']): PaymentStatus | null | 'retry-later' {
  if (event === 'payment.paid') return status === 'PENDING' || status === 'FAILED' ? 'PAID' : null;
  if (event === 'payment.failed') return status === 'PENDING' ? 'FAILED' : null;
  if (status === 'PAID') return 'REFUNDED';
  return status === 'PENDING' ? 'retry-later' : null;
}

function toPurchaseView(payment: PaymentRow): PurchaseView {
  return {
    paymentId: payment.id,
    packageId: payment.packageId,
    tokens: payment.tokens,
    amountKrw: payment.amountKrw,
    status: payment.status === 'PAID' ? 'PAID' : 'PENDING',
    createdAt: payment.createdAt.toISOString(),
  };
}

/**
 * Purchases of token packages. The `instant` provider (development and tests) confirms at
 * once; the `webhook` provider leaves the payment pending until the provider's signed webhook
 * confirms it. Either way a payment is credited exactly once (a unique index on the ledger).
 */
@Injectable()
export class PaymentsService {
  constructor(
    private readonly repository: PaymentsRepository,
    private readonly accounts: AccountsService,
    private readonly usage: UsageService,
    private readonly idempotency: IdempotencyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  packages(locale: Locale): TokenPackageView[] {
    return TOKEN_PACKAGES.map((item) => ({
      id: item.id,
      name: item.name[locale],
      tokens: item.tokens,
      priceKrw: item.priceKrw,
      krwPer1kTokens: Math.round((item.priceKrw * 1_000) / item.tokens),
    }));
  }

  async purchase(userId: string, packageId: string, idempotencyKey: string | null, locale: Locale): Promise<PurchaseResultView> {
    // A purchase spends money: without a key a double click would pay twice.
    if (!idempotencyKey) throw new IdempotencyKeyRequiredError();
    const item = findTokenPackage(packageId);
    if (!item) throw new NotFoundError();
    const provider = this.config.payments.provider;
    const purchase = await this.repository.db.transaction(async (tx) => {
      const apply = async () => {
        const now = this.clock.now();
        const payment = await this.repository.insert(tx, {
          userId,
          packageId: item.id,
          tokens: item.tokens,
          amountKrw: item.priceKrw,
          provider,
          status: provider === 'instant' ? 'PAID' : 'PENDING',
          now,
        });
        if (payment.status === 'PAID') await this.creditPayment(tx, payment);
        return toPurchaseView(payment);
      };
      return this.idempotency.run(tx, { ownerId: userId, scope: 'purchase', key: idempotencyKey, request: { packageId } }, apply);
    });
    return { ...purchase, usage: await this.usage.usage(userId, locale) };
  }

  /** Applies a signed event from the payment provider; a replayed event changes nothing. */
  async handleWebhook(rawBody: Buffer | undefined, signature: string | undefined, event: PaymentWebhookDto): Promise<WebhookResultView> {
    const secret = this.config.payments.webhookSecret;
    if (!secret) throw new PaymentsUnavailableError();
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1_000);
    if (!rawBody || !verifyWebhookSignature(secret, rawBody, signature, nowSeconds, this.config.payments.webhookToleranceSeconds)) {
      throw new InvalidSignatureError();
    }
    return this.repository.db.transaction(async (tx) => {
      const payment = await this.repository.lock(tx, event.paymentId);
      if (!payment) throw new NotFoundError();
      const transition = nextPaymentStatus(payment.status, event.type);
      // Not applicable yet (a refund before its payment was confirmed): refused without
      // recording the event, so the provider delivers it again later.
      if (transition === 'retry-later') throw new PaymentNotReadyError();
      if (!(await this.repository.recordEvent(tx, event))) return { result: 'duplicate', paymentStatus: payment.status };
      if (transition === null) return { result: 'ignored', paymentStatus: payment.status };
      const now = this.clock.now();
      await this.repository.setStatus(tx, payment.id, transition, now);
      if (transition === 'PAID') await this.creditPayment(tx, payment);
      if (transition === 'REFUNDED') await this.accounts.refundPayment(tx, payment.userId, payment.id, payment.tokens);
      return { result: 'applied', paymentStatus: transition };
    });
  }

  private creditPayment(tx: Transaction, payment: PaymentRow) {
    return this.accounts.credit(tx, payment.userId, {
      kind: 'PURCHASE',
      tokens: payment.tokens,
      bucket: 'purchased',
      paymentId: payment.id,
    });
  }
}
