import { Controller, Get, Headers, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, RequireRole, type AuthUser } from '../auth/auth.decorators.js';
import { sendCsv } from '../common/csv-download.js';
import { NotFoundError } from '../common/errors.js';
import { localeOf } from '../common/locale.js';
import { cohortReportCsv, usageReportCsv } from './reports-csv.js';
import { CohortReportView, MonthQuery, UsageReportView } from './reports.dto.js';
import { ReportsService } from './reports.service.js';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError() });
const once = (text: string) => ({ async *[Symbol.asyncIterator]() { yield text; } });

@ApiTags('reports')
@ApiBearerAuth()
@Controller()
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** The caller's usage pattern of a month: by day, by weekday and hour, by model, against the month before, with findings. */
  @Get('reports/usage')
  @ApiOkResponse({ type: UsageReportView })
  mine(@CurrentUser() user: AuthUser, @Query() query: MonthQuery, @Headers('accept-language') language?: string): Promise<UsageReportView> {
    return this.reports.mine(user.id, query.month, localeOf(language));
  }

  /** The same month as CSV (section,key,tokens). */
  @Get('reports/usage.csv')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'UTF-8 with a byte order mark; columns: section,key,tokens' })
  async mineCsv(@CurrentUser() user: AuthUser, @Query() query: MonthQuery, @Res() response: Response, @Headers('accept-language') language?: string): Promise<void> {
    const report = await this.reports.mine(user.id, query.month, localeOf(language));
    await sendCsv(response, { fileName: { ascii: `usage-${report.month}.csv`, unicode: `usage-${report.month}.csv` }, chunks: once(usageReportCsv(report)) });
  }

  /** A member's usage pattern in an organization's pool (its owners and admins). */
  @Get('reports/organizations/:organizationId/members/:userId')
  @ApiOkResponse({ type: UsageReportView })
  member(
    @CurrentUser() user: AuthUser,
    @Param('organizationId', uuid) organizationId: string,
    @Param('userId', uuid) memberId: string,
    @Query() query: MonthQuery,
    @Headers('accept-language') language?: string,
  ): Promise<UsageReportView> {
    return this.reports.member(user.id, organizationId, memberId, query.month, localeOf(language));
  }

  /** The admins' cohort report of a month. */
  @RequireRole('ADMIN')
  @Get('admin/reports/cohort')
  @ApiOkResponse({ type: CohortReportView })
  cohort(@Query() query: MonthQuery): Promise<CohortReportView> {
    return this.reports.cohort(query.month);
  }

  @RequireRole('ADMIN')
  @Get('admin/reports/cohort.csv')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'UTF-8 with a byte order mark; columns: section,key,value' })
  async cohortCsv(@Query() query: MonthQuery, @Res() response: Response): Promise<void> {
    const report = await this.reports.cohort(query.month);
    await sendCsv(response, { fileName: { ascii: `cohort-${report.month}.csv`, unicode: `cohort-${report.month}.csv` }, chunks: once(cohortReportCsv(report)) });
  }
}
