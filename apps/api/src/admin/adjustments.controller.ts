import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequireRole, type AuthUser } from '../auth/auth.decorators.js';
import { ApiIdempotencyKey, IdempotencyKey } from '../common/idempotency-key.decorator.js';
import { AccountsService } from '../quota/accounts/accounts.service.js';
import { AdjustmentDto, UsageView } from '../quota/usage/usage.dto.js';
import { UsageService } from '../quota/usage/usage.service.js';
import { NotFoundError } from '../common/errors.js';

@ApiTags('admin')
@ApiBearerAuth()
@RequireRole('ADMIN')
@Controller('admin/users')
export class AdjustmentsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly usage: UsageService,
  ) {}

  /** Grants (positive) or removes (negative) tokens, recorded in the ledger with the admin and the reason. */
  @Post(':userId/adjustments')
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: UsageView })
  async adjust(
    @CurrentUser() admin: AuthUser,
    @Param('userId', new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError() })) userId: string,
    @Body() body: AdjustmentDto,
    @IdempotencyKey() key: string | null,
  ): Promise<UsageView> {
    const idempotency = key ? { key, request: { userId, ...body } } : null;
    if (body.tokens > 0) {
      await this.accounts.credit(
        null,
        userId,
        { kind: 'ADJUSTMENT', tokens: body.tokens, bucket: body.bucket ?? 'purchased', actorId: admin.id, reason: body.reason },
        idempotency,
      );
    } else {
      await this.accounts.debit(userId, { tokens: -body.tokens, actorId: admin.id, reason: body.reason }, idempotency);
    }
    return this.usage.usage(userId, 'ko');
  }
}
