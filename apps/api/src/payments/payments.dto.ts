import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Matches } from 'class-validator';
import { UsageView } from '../quota/usage/usage.dto.js';
import { TOKEN_PACKAGE_IDS } from './token-packages.js';

export class TokenPackageView {
  @ApiProperty({ example: 'tokens-50k' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() tokens!: number;
  @ApiProperty({ description: 'Price in Korean won' }) priceKrw!: number;
  @ApiProperty({ description: 'Won per 1,000 tokens' }) krwPer1kTokens!: number;
}

export class PurchaseDto {
  @ApiProperty({ enum: TOKEN_PACKAGE_IDS })
  @IsIn(TOKEN_PACKAGE_IDS)
  packageId!: string;
}

export class PurchaseView {
  @ApiProperty() paymentId!: string;
  @ApiProperty() packageId!: string;
  @ApiProperty() tokens!: number;
  @ApiProperty() amountKrw!: number;
  @ApiProperty({ enum: ['PENDING', 'PAID'] }) status!: 'PENDING' | 'PAID';
  @ApiProperty() createdAt!: string;
}

export class PurchaseResultView extends PurchaseView {
  @ApiProperty({ type: UsageView }) usage!: UsageView;
}

export const WEBHOOK_EVENT_TYPES = ['payment.paid', 'payment.failed', 'payment.refunded'] as const;

export class PaymentWebhookDto {
  @ApiProperty({ description: 'Unique per delivery; a replayed event is acknowledged and ignored' })
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,200}$/)
  eventId!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  @IsIn(WEBHOOK_EVENT_TYPES)
  type!: (typeof WEBHOOK_EVENT_TYPES)[number];

  @ApiProperty() @IsUUID() paymentId!: string;
}

export class WebhookResultView {
  @ApiProperty({ enum: ['applied', 'ignored', 'duplicate'] }) result!: 'applied' | 'ignored' | 'duplicate';
  @ApiProperty({ enum: ['PENDING', 'PAID', 'FAILED', 'REFUNDED'] }) paymentStatus!: string;
}
