import { Inject, Injectable } from '@nestjs/common';
import type { Locale } from '@consult-on/quota-policy';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { InvalidSignatureError, NotFoundError, PaymentsUnavailableError } from '../common/errors.js';
import { IdempotencyService } from '../common/idempotency.js';
import type { Transaction } from '../database/database.js';
import { LedgerService } from '../quota/ledger.service.js';
import { UsageService } from '../quota/usage.service.js';
import type { PaymentWebhookDto, PurchaseResultView, PurchaseView, TokenPackageView, WebhookResultView } from './payments.dto.js';
import { PaymentsRepository, type PaymentRow } from './payments.repository.js';
import { findTokenPackage, TOKEN_PACKAGES } from './token-packages.js';
import { verifyWebhookSignature } from './webhook-signature.js';

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
    private readonly ledger: LedgerService,
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
      if (!idempotencyKey) return apply();
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
      if (!(await this.repository.recordEvent(tx, event))) return { result: 'duplicate', paymentStatus: payment.status };
      const now = this.clock.now();
      if (event.type === 'payment.paid' && payment.status === 'PENDING') {
        await this.repository.setStatus(tx, payment.id, 'PAID', now);
        await this.creditPayment(tx, payment);
        return { result: 'applied', paymentStatus: 'PAID' };
      }
      if (event.type === 'payment.failed' && payment.status === 'PENDING') {
        await this.repository.setStatus(tx, payment.id, 'FAILED', now);
        return { result: 'applied', paymentStatus: 'FAILED' };
      }
      if (event.type === 'payment.refunded' && payment.status === 'PAID') {
        await this.repository.setStatus(tx, payment.id, 'REFUNDED', now);
        await this.ledger.refundPayment(tx, payment.userId, payment.id, payment.tokens);
        return { result: 'applied', paymentStatus: 'REFUNDED' };
      }
      return { result: 'ignored', paymentStatus: payment.status };
    });
  }

  private creditPayment(tx: Transaction, payment: PaymentRow) {
    return this.ledger.credit(tx, payment.userId, {
      kind: 'PURCHASE',
      tokens: payment.tokens,
      bucket: 'purchased',
      paymentId: payment.id,
    });
  }
}
