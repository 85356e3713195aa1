import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentUser, Public, RequireRole, type AuthUser } from '../auth/auth.decorators.js';
import { NotFoundError } from '../common/errors.js';
import { ApiIdempotencyKey, IdempotencyKey } from '../common/idempotency-key.decorator.js';
import { localeOf } from '../common/locale.js';
import { CheckoutService } from './checkout.service.js';
import { ChoosePlanDto } from '../plans/plans.dto.js';
import { OrdersService } from './orders.service.js';
import {
  AbandonOrderDto,
  CheckoutResultView,
  ConfirmOrderDto,
  OrderResultView,
  OrderView,
  OrganizationPurchaseDto,
  PurchaseDto,
  RefundDto,
  RefundResultView,
  SubscribeDto,
  SubscriptionView,
  TokenPackageView,
  WebhookResultView,
} from './payments.dto.js';
import { PaymentsRepository } from './payments.repository.js';
import { RefundsService } from './refunds.service.js';
import { SubscriptionsService } from './subscriptions.service.js';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError() });

/** Where the return pages live: PUBLIC_URL, or the address this request came to. */
function originOf(request: Request): string {
  return `${request.protocol}://${request.get('host') ?? 'localhost'}`;
}

@ApiTags('ai-usage')
@ApiBearerAuth()
@Controller('ai-usage')
export class PurchaseController {
  constructor(private readonly checkout: CheckoutService) {}

  @Get('packages')
  @ApiOkResponse({ type: [TokenPackageView] })
  packages(@Headers('accept-language') language?: string): TokenPackageView[] {
    return this.checkout.catalog('package', localeOf(language));
  }

  /** Opens an order for a package and returns how to pay it (instant: already paid). */
  @Post('purchase')
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: CheckoutResultView })
  purchase(
    @CurrentUser() user: AuthUser,
    @Body() body: PurchaseDto,
    @IdempotencyKey() key: string | null,
    @Req() request: Request,
    @Headers('accept-language') language?: string,
  ): Promise<CheckoutResultView> {
    return this.checkout.checkout(user, body.packageId, 'package', key, originOf(request), localeOf(language));
  }
}

@ApiTags('payments')
@ApiBearerAuth()
@Controller('payments')
export class OrdersController {
  constructor(
    private readonly checkout: CheckoutService,
    private readonly orders: OrdersService,
    private readonly repository: PaymentsRepository,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  /** The user's orders, newest first (the last 100). */
  @Get('orders')
  @ApiOkResponse({ type: [OrderView] })
  async list(@CurrentUser() user: AuthUser): Promise<OrderView[]> {
    return this.orders.views(await this.repository.listOrders(this.repository.db, user.id, 100, null));
  }

  /** One order with its receipt (once paid) and refunds. */
  @Get('orders/:orderId')
  @ApiOkResponse({ type: OrderView })
  async get(@CurrentUser() user: AuthUser, @Param('orderId', uuid) orderId: string): Promise<OrderView> {
    return this.orders.view(await this.orders.ownOrder(user.id, orderId));
  }

  /** Confirms an order from the provider's success return (its query as it came); safe to repeat while pending. */
  @Post('orders/:orderId/confirm')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderResultView })
  confirm(
    @CurrentUser() user: AuthUser,
    @Param('orderId', uuid) orderId: string,
    @Body() body: ConfirmOrderDto,
    @Headers('accept-language') language?: string,
  ): Promise<OrderResultView> {
    return this.checkout.confirm(user.id, orderId, body, localeOf(language));
  }

  /** The provider's fail return: the order ends failed with its reason (unless the provider says it was paid). */
  @Post('orders/:orderId/abandon')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderResultView })
  abandon(
    @CurrentUser() user: AuthUser,
    @Param('orderId', uuid) orderId: string,
    @Body() body: AbandonOrderDto,
    @Headers('accept-language') language?: string,
  ): Promise<OrderResultView> {
    return this.checkout.abandon(user.id, orderId, body, localeOf(language));
  }

  @Get('products')
  @ApiOkResponse({ type: [TokenPackageView] })
  products(@Headers('accept-language') language?: string): TokenPackageView[] {
    return this.checkout.catalog('subscription', localeOf(language));
  }

  /** Opens the first month of a monthly product: the payment window also saves the card for renewals. */
  @Post('subscriptions')
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: CheckoutResultView })
  subscribe(
    @CurrentUser() user: AuthUser,
    @Body() body: SubscribeDto,
    @IdempotencyKey() key: string | null,
    @Req() request: Request,
    @Headers('accept-language') language?: string,
  ): Promise<CheckoutResultView> {
    return this.checkout.checkout(user, body.productId, 'subscription', key, originOf(request), localeOf(language));
  }

  @Get('subscriptions')
  @ApiOkResponse({ type: [SubscriptionView] })
  listSubscriptions(@CurrentUser() user: AuthUser, @Headers('accept-language') language?: string): Promise<SubscriptionView[]> {
    return this.subscriptions.list(user.id, localeOf(language));
  }

  /** Stops renewing; the month already paid for is kept. */
  @Post('subscriptions/:subscriptionId/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: SubscriptionView })
  cancel(
    @CurrentUser() user: AuthUser,
    @Param('subscriptionId', uuid) subscriptionId: string,
    @Headers('accept-language') language?: string,
  ): Promise<SubscriptionView> {
    return this.subscriptions.cancel(user.id, subscriptionId, localeOf(language));
  }
}

@ApiTags('plans')
@ApiBearerAuth()
@Controller('plans')
export class PlanCheckoutController {
  constructor(private readonly checkout: CheckoutService) {}

  /**
   * Buys a paid plan: its first month now (the plan applies at once once paid), then a renewal
   * charged with the saved card before each reset. The same Idempotency-Key opens the same order.
   */
  @Post('subscribe')
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: CheckoutResultView })
  subscribe(
    @CurrentUser() user: AuthUser,
    @Body() body: ChoosePlanDto,
    @IdempotencyKey() key: string | null,
    @Req() request: Request,
    @Headers('accept-language') language?: string,
  ): Promise<CheckoutResultView> {
    return this.checkout.checkoutPlan(user, body.planId, key, originOf(request), localeOf(language));
  }
}

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('organizations')
export class OrganizationPurchaseController {
  constructor(private readonly checkout: CheckoutService) {}

  /** Bulk packages for an organization's pool (on sale with this provider). */
  @Get('packages')
  @ApiOkResponse({ type: [TokenPackageView] })
  packages(@Headers('accept-language') language?: string): TokenPackageView[] {
    return this.checkout.catalog('organization', localeOf(language));
  }

  /** The organization's bulk purchases, newest first (its owners and admins; whoever bought them). */
  @Get(':organizationId/orders')
  @ApiOkResponse({ type: [OrderView] })
  orders(@CurrentUser() user: AuthUser, @Param('organizationId', uuid) organizationId: string): Promise<OrderView[]> {
    return this.checkout.organizationOrders(user.id, organizationId);
  }

  /**
   * Buys a bulk package for the organization's pool (its owners and admins): the order is the
   * buyer's, the purchased tokens the pool's, never expiring. One order per Idempotency-Key.
   */
  @Post(':organizationId/purchase')
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: CheckoutResultView })
  purchase(
    @CurrentUser() user: AuthUser,
    @Param('organizationId', uuid) organizationId: string,
    @Body() body: OrganizationPurchaseDto,
    @IdempotencyKey() key: string | null,
    @Req() request: Request,
    @Headers('accept-language') language?: string,
  ): Promise<CheckoutResultView> {
    return this.checkout.checkoutOrganization(user, organizationId, body.packageId, key, originOf(request), localeOf(language));
  }
}

@ApiTags('payments')
@Controller('payments/webhooks')
export class PaymentWebhooksController {
  constructor(private readonly checkout: CheckoutService) {}

  /**
   * The provider's webhook (`toss` or `stripe`, whichever is configured). Stripe's are verified by
   * signature (Stripe-Signature); Toss's are trusted only after the payment is read again from
   * Toss's API. A replayed delivery changes nothing.
   */
  @Public()
  @Post(':provider')
  @HttpCode(200)
  @ApiParam({ name: 'provider', enum: ['toss', 'stripe'] })
  @ApiOkResponse({ type: WebhookResultView })
  webhook(@Param('provider') provider: string, @Req() request: RawBodyRequest<Request>): Promise<WebhookResultView> {
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(',') : value;
    return this.checkout.handleWebhook(provider, request.rawBody, headers);
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@RequireRole('ADMIN')
@Controller('admin')
export class AdminPaymentsController {
  constructor(private readonly refunds: RefundsService) {}

  /** A user's orders with their refunds, for the admin user detail. */
  @Get('users/:userId/orders')
  @ApiOkResponse({ type: [OrderView] })
  orders(@Param('userId', uuid) userId: string): Promise<OrderView[]> {
    return this.refunds.ordersOf(userId);
  }

  /**
   * Refunds unspent purchased tokens of an order, pro rata (README: refund rule). The tokens are
   * taken back first; the money follows from the provider. One refund per Idempotency-Key.
   */
  @Post('orders/:orderId/refunds')
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: RefundResultView })
  refund(
    @CurrentUser() admin: AuthUser,
    @Param('orderId', uuid) orderId: string,
    @Body() body: RefundDto,
    @IdempotencyKey() key: string | null,
  ): Promise<RefundResultView> {
    return this.refunds.refund(admin.id, orderId, body, key);
  }
}
