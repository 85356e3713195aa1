import { Body, Controller, Get, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentUser, Public, type AuthUser } from '../auth/auth.decorators.js';
import { ApiIdempotencyKey, IdempotencyKey } from '../common/idempotency-key.decorator.js';
import { localeOf } from '../common/locale.js';
import { PaymentWebhookDto, PurchaseDto, PurchaseResultView, TokenPackageView, WebhookResultView } from './payments.dto.js';
import { PaymentsService } from './payments.service.js';

@ApiTags('ai-usage')
@ApiBearerAuth()
@Controller('ai-usage')
export class PurchaseController {
  constructor(private readonly payments: PaymentsService) {}

  @Get('packages')
  @ApiOkResponse({ type: [TokenPackageView] })
  packages(@Headers('accept-language') language?: string): TokenPackageView[] {
    return this.payments.packages(localeOf(language));
  }

  @Post('purchase')
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: PurchaseResultView })
  purchase(
    @CurrentUser() user: AuthUser,
    @Body() body: PurchaseDto,
    @IdempotencyKey() key: string | null,
    @Headers('accept-language') language?: string,
  ): Promise<PurchaseResultView> {
    return this.payments.purchase(user.id, body.packageId, key, localeOf(language));
  }
}

@ApiTags('payments')
@Controller('payments')
export class PaymentsWebhookController {
  constructor(private readonly payments: PaymentsService) {}

  @Public()
  @Post('webhook')
  @HttpCode(200)
  @ApiHeader({ name: 'Consult-On-Signature', description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">' })
  @ApiOkResponse({ type: WebhookResultView })
  webhook(
    @Req() request: RawBodyRequest<Request>,
    @Headers('consult-on-signature') signature: string | undefined,
    @Body() body: PaymentWebhookDto,
  ): Promise<WebhookResultView> {
    return this.payments.handleWebhook(request.rawBody, signature, body);
  }
}
