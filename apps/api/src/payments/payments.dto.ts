import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PAYMENT_STATUSES, REFUND_STATUSES, SUBSCRIPTION_STATUSES } from '../database/schema.js';
import { UsageView } from '../quota/usage/usage.dto.js';
import { MONTHLY_PRODUCT_IDS, ORGANIZATION_PACKAGE_IDS, TOKEN_PACKAGE_IDS } from './token-packages.js';

export class TokenPackageView {
  @ApiProperty({ example: 'tokens-50k' }) id!: string;
  @ApiProperty({ enum: ['package', 'subscription'] }) kind!: 'package' | 'subscription';
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Tokens per purchase, or per month of a monthly product' }) tokens!: number;
  @ApiProperty({ description: 'Price in integer minor units of `currency` (KRW has none), VAT included' }) price!: number;
  @ApiProperty({ example: 'KRW' }) currency!: string;
  @ApiProperty({ description: 'Price per 1,000 tokens, in minor units, rounded' }) pricePer1kTokens!: number;
}

export class PurchaseDto {
  @ApiProperty({ enum: TOKEN_PACKAGE_IDS })
  @IsIn(TOKEN_PACKAGE_IDS)
  packageId!: string;
}

export class OrganizationPurchaseDto {
  @ApiProperty({ enum: ORGANIZATION_PACKAGE_IDS })
  @IsIn(ORGANIZATION_PACKAGE_IDS)
  packageId!: string;
}

export class SubscribeDto {
  @ApiProperty({ enum: MONTHLY_PRODUCT_IDS })
  @IsIn(MONTHLY_PRODUCT_IDS)
  productId!: string;
}

const PROVIDER_VALUE = /^[A-Za-z0-9_\-.:{}]{1,200}$/;

/** The success return page's query, passed on as the provider put it there. */
export class ConfirmOrderDto {
  @ApiPropertyOptional({ description: 'Toss: the payment key of the success redirect' })
  @IsOptional()
  @IsString()
  @Matches(PROVIDER_VALUE)
  paymentKey?: string;

  @ApiPropertyOptional({ description: 'Toss: the order id of the success redirect (must be this order)' })
  @IsOptional()
  @IsString()
  @Matches(PROVIDER_VALUE)
  orderId?: string;

  @ApiPropertyOptional({ description: 'Toss: the amount of the success redirect (must equal the order amount)' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,12}$/)
  amount?: string;

  @ApiPropertyOptional({ description: 'Toss billing: the auth key of the card registration redirect' })
  @IsOptional()
  @IsString()
  @Matches(PROVIDER_VALUE)
  authKey?: string;

  @ApiPropertyOptional({ description: 'Toss billing: the customer key of the card registration redirect' })
  @IsOptional()
  @IsString()
  @Matches(PROVIDER_VALUE)
  customerKey?: string;

  @ApiPropertyOptional({ description: 'Stripe: the Checkout Session id of the success redirect' })
  @IsOptional()
  @IsString()
  @Matches(PROVIDER_VALUE)
  sessionId?: string;
}

/** The fail return page's query: the customer left the payment window (or the provider refused there). */
export class AbandonOrderDto {
  @ApiPropertyOptional({ description: "The provider's code on the fail return (Toss: e.g. PAY_PROCESS_CANCELED)", example: 'PAY_PROCESS_CANCELED' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z0-9_]{1,64}$/)
  code?: string;

  @ApiPropertyOptional({ description: "The provider's message on the fail return", maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  message?: string;
}

export class RefundDto {
  @ApiPropertyOptional({ description: 'Tokens to refund (default: every unspent token of the order)', example: 10_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  tokens?: number;

  @ApiProperty({ minLength: 3, maxLength: 500, example: '고객 요청 환불' })
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason!: string;
}

export class ReceiptView {
  @ApiProperty({ description: 'Short order number printed on the receipt' }) orderNumber!: string;
  @ApiProperty({ description: '공급가액: the price without VAT' }) supplyAmount!: number;
  @ApiProperty({ description: '부가세: 10 % VAT, included in the price' }) vatAmount!: number;
  @ApiProperty() sellerName!: string;
  @ApiProperty({ type: String, nullable: true, description: '사업자등록번호' }) sellerRegistrationNumber!: string | null;
}

export class RefundView {
  @ApiProperty() id!: string;
  @ApiProperty() amount!: number;
  @ApiProperty() tokens!: number;
  @ApiProperty({ enum: REFUND_STATUSES }) status!: (typeof REFUND_STATUSES)[number];
  @ApiProperty({ enum: ['admin', 'provider'], description: 'admin: refunded here; provider: reported by the provider (its dashboard)' }) origin!: 'admin' | 'provider';
  @ApiProperty() reason!: string;
  @ApiProperty({ type: String, nullable: true }) failureMessage!: string | null;
  @ApiProperty() createdAt!: string;
}

export class FailureView {
  @ApiProperty() code!: string;
  @ApiProperty() message!: string;
}

export class OrderView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['package', 'subscription'] }) kind!: 'package' | 'subscription';
  @ApiProperty() productId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'A bulk purchase for this organization’s pool; null: for the buyer’s own account' }) organizationId!: string | null;
  @ApiProperty() orderName!: string;
  @ApiProperty() tokens!: number;
  @ApiProperty({ description: 'Integer minor units of `currency`, VAT included' }) amount!: number;
  @ApiProperty() currency!: string;
  @ApiProperty({ enum: ['instant', 'toss', 'stripe'] }) provider!: string;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status!: (typeof PAYMENT_STATUSES)[number];
  @ApiProperty({ type: String, nullable: true }) method!: string | null;
  @ApiProperty({ type: FailureView, nullable: true }) failure!: FailureView | null;
  @ApiProperty() refundedAmount!: number;
  @ApiProperty() refundedTokens!: number;
  @ApiProperty({ description: 'Of the tokens granted, how many settled overage (tokens already used past 100 %) instead of being added' })
  settledOverageTokens!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) paidAt!: string | null;
  @ApiProperty({ type: ReceiptView, nullable: true, description: 'Present once paid' }) receipt!: ReceiptView | null;
  @ApiProperty({ type: [RefundView] }) refunds!: RefundView[];
}

export class CheckoutView {
  @ApiProperty({
    enum: ['instant', 'redirect', 'toss', 'none'],
    description: 'instant: paid at once (development); redirect: go to url; toss: open the Toss payment window with these fields; none: the order is no longer pending (a replayed request), nothing to pay',
  })
  type!: 'instant' | 'redirect' | 'toss' | 'none';
  @ApiPropertyOptional() url?: string;
  @ApiPropertyOptional({ enum: ['payment', 'billing'] }) flow?: 'payment' | 'billing';
  @ApiPropertyOptional() sdkUrl?: string;
  @ApiPropertyOptional() clientKey?: string;
  @ApiPropertyOptional() customerKey?: string;
  @ApiPropertyOptional() orderId?: string;
  @ApiPropertyOptional() orderName?: string;
  @ApiPropertyOptional() amount?: number;
  @ApiPropertyOptional() currency?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) customerEmail?: string | null;
  @ApiPropertyOptional() successUrl?: string;
  @ApiPropertyOptional() failUrl?: string;
}

export class OrderResultView {
  @ApiProperty({ type: OrderView }) order!: OrderView;
  @ApiProperty({ type: UsageView }) usage!: UsageView;
}

export class CheckoutResultView extends OrderResultView {
  @ApiProperty({ type: CheckoutView }) checkout!: CheckoutView;
}

export class SubscriptionView {
  @ApiProperty() id!: string;
  @ApiProperty() productId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The plan a paid plan’s subscription keeps the account on; null for another monthly product' }) planId!: string | null;
  @ApiProperty({ description: "The product's name in the reader's language" }) productName!: string;
  @ApiProperty() provider!: string;
  @ApiProperty({ enum: SUBSCRIPTION_STATUSES }) status!: (typeof SUBSCRIPTION_STATUSES)[number];
  @ApiProperty() amount!: number;
  @ApiProperty() currency!: string;
  @ApiProperty() tokens!: number;
  @ApiProperty({ description: 'When the paid period ends (a plan’s: at a reset)' }) currentPeriodEnd!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the next renewal is charged: a plan’s ahead of the reset (PLAN_RENEWAL_LEAD_HOURS before it, or on the 26th through Stripe), another product’s at its period end; null once cancelled' }) renewsAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) canceledAt!: string | null;
}

export class RefundResultView {
  @ApiProperty({ type: RefundView }) refund!: RefundView;
  @ApiProperty({ type: OrderView }) order!: OrderView;
}

export class WebhookResultView {
  @ApiProperty({ description: 'Events in the delivery' }) received!: number;
  @ApiProperty({ description: 'Events that changed an order or a subscription' }) applied!: number;
}
