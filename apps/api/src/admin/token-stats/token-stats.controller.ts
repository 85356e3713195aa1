import { Controller, Delete, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireRole } from '../../auth/auth.decorators.js';
import { NotFoundError } from '../../common/errors.js';
import {
  CacheClearedView,
  ExportQuery,
  LedgerVerifyView,
  StatsQuery,
  TokenStatsView,
  UserDetailQuery,
  UserDetailView,
  UserPageView,
  UsersQuery,
} from './token-stats.dto.js';
import { TokenStatsService } from './token-stats.service.js';

const userIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError() });

@ApiTags('admin')
@ApiBearerAuth()
@RequireRole('ADMIN')
@Controller('admin')
export class TokenStatsController {
  constructor(private readonly stats: TokenStatsService) {}

  @Get('token-stats')
  @ApiOkResponse({ type: TokenStatsView })
  overview(@Query() query: StatsQuery): Promise<TokenStatsView> {
    return this.stats.stats(query.period);
  }

  @Get('token-stats/user/:userId')
  @ApiOkResponse({ type: UserDetailView })
  user(@Param('userId', userIdPipe) userId: string, @Query() query: UserDetailQuery): Promise<UserDetailView> {
    return this.stats.userDetail(userId, query);
  }

  @Delete('token-stats/cache')
  @ApiOkResponse({ type: CacheClearedView })
  async clear(): Promise<CacheClearedView> {
    await this.stats.clearCache();
    return { cleared: true };
  }

  @Get('token-stats/export.csv')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'userId,email,usedTokens,usagePercent,purchasedTokens,level,lastActiveAt' })
  export(@Query() query: ExportQuery, @Res() response: Response): Promise<void> {
    return this.stats.exportCsv(query.scope ?? 'top', response);
  }

  @Get('users')
  @ApiOkResponse({ type: UserPageView })
  users(@Query() query: UsersQuery): Promise<UserPageView> {
    return this.stats.searchUsers(query);
  }

  @Get('ledger/verify')
  @ApiOkResponse({ type: LedgerVerifyView })
  verify(): Promise<LedgerVerifyView> {
    return this.stats.verifyLedger();
  }
}
