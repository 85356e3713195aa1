import { Body, Controller, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequireRole, type AuthUser } from '../../auth/auth.decorators.js';
import { localeOf } from '../../common/locale.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { DailyUsageQuery, DailyUsageView, HistoryQuery, LedgerPageView, TestUsageDto, UsageView } from './usage.dto.js';
import { UsageService } from './usage.service.js';

@ApiTags('ai-usage')
@ApiBearerAuth()
@Controller('ai-usage')
export class AiUsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @ApiOkResponse({ type: UsageView })
  state(@CurrentUser() user: AuthUser, @Headers('accept-language') language?: string): Promise<UsageView> {
    return this.usage.usage(user.id, localeOf(language));
  }

  @Get('history')
  @ApiOkResponse({ type: LedgerPageView })
  history(@CurrentUser() user: AuthUser, @Query() query: HistoryQuery): Promise<LedgerPageView> {
    return this.usage.history(user.id, query);
  }

  /** Tokens consumed per day, oldest first, days without use included: the history chart's series. */
  @Get('daily')
  @ApiOkResponse({ type: [DailyUsageView] })
  daily(@CurrentUser() user: AuthUser, @Query() query: DailyUsageQuery): Promise<DailyUsageView[]> {
    return this.usage.daily(user.id, query.days ?? 90);
  }
}

/** The report's test scenario. Only registered outside production (see QuotaModule). */
@ApiTags('ai-usage')
@ApiBearerAuth()
@Controller('ai-usage')
export class TestUsageController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly usage: UsageService,
  ) {}

  @RequireRole('ADMIN')
  @Post('test-usage')
  @HttpCode(200)
  @ApiOkResponse({ type: UsageView })
  async setUsage(
    @CurrentUser() admin: AuthUser,
    @Body() body: TestUsageDto,
    @Headers('accept-language') language?: string,
  ): Promise<UsageView> {
    await this.accounts.setUsagePercent(body.userId, body.usagePercent, admin.id);
    return this.usage.usage(body.userId, localeOf(language));
  }
}
