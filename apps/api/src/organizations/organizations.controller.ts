import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { sendCsv } from '../common/csv-download.js';
import { localeOf } from '../common/locale.js';
import { DailyUsageView, HistoryQuery, LedgerPageView } from '../quota/usage/usage.dto.js';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../auth/auth.decorators.js';
import { NotFoundError } from '../common/errors.js';
import {
  AcceptInvitationDto,
  ChangeRoleDto,
  CreatedInvitationView,
  InvitationView,
  InviteDto,
  LedgerExportQuery,
  MemberDailyQuery,
  MemberLimitDto,
  MembershipView,
  OrganizationNameDto,
  OrganizationUsageView,
  OrganizationSummaryView,
  OrganizationView,
} from './organizations.dto.js';
import { OrganizationReportsService } from './organization-reports.service.js';
import { OrganizationsService } from './organizations.service.js';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError() });

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('organizations')
export class OrganizationsController {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly reports: OrganizationReportsService,
  ) {}

  /** Creates an organization; the caller is its owner. */
  @Post()
  @ApiOkResponse({ type: OrganizationView })
  create(@CurrentUser() user: AuthUser, @Body() body: OrganizationNameDto): Promise<OrganizationView> {
    return this.organizations.create(user, body.name);
  }

  /** The organizations the caller belongs to, with their role. */
  @Get()
  @ApiOkResponse({ type: [OrganizationSummaryView] })
  list(@CurrentUser() user: AuthUser): Promise<OrganizationSummaryView[]> {
    return this.organizations.list(user.id);
  }

  /** Joins the organization of an invitation link (once, before it expires). */
  @Post('invitations/accept')
  @HttpCode(200)
  @ApiOkResponse({ type: MembershipView })
  accept(@CurrentUser() user: AuthUser, @Body() body: AcceptInvitationDto): Promise<MembershipView> {
    return this.organizations.accept(user.id, body.token);
  }

  /** One organization; its members for owners and admins. */
  @Get(':organizationId')
  @ApiOkResponse({ type: OrganizationView })
  get(@CurrentUser() user: AuthUser, @Param('organizationId', uuid) organizationId: string): Promise<OrganizationView> {
    return this.organizations.get(user.id, organizationId);
  }

  @Patch(':organizationId')
  @ApiOkResponse({ type: OrganizationView })
  rename(@CurrentUser() user: AuthUser, @Param('organizationId', uuid) organizationId: string, @Body() body: OrganizationNameDto): Promise<OrganizationView> {
    return this.organizations.rename(user.id, organizationId, body.name);
  }

  /** A one-time invitation link (owners and admins; an admin invites members only). */
  @Post(':organizationId/invitations')
  @ApiOkResponse({ type: CreatedInvitationView })
  invite(@CurrentUser() user: AuthUser, @Param('organizationId', uuid) organizationId: string, @Body() body: InviteDto): Promise<CreatedInvitationView> {
    return this.organizations.invite(user.id, organizationId, body.role, body.expiresInHours);
  }

  /** The links not yet used, revoked or expired. */
  @Get(':organizationId/invitations')
  @ApiOkResponse({ type: [InvitationView] })
  invitations(@CurrentUser() user: AuthUser, @Param('organizationId', uuid) organizationId: string): Promise<InvitationView[]> {
    return this.organizations.invitations(user.id, organizationId);
  }

  @Delete(':organizationId/invitations/:invitationId')
  @HttpCode(204)
  @ApiNoContentResponse()
  revoke(@CurrentUser() user: AuthUser, @Param('organizationId', uuid) organizationId: string, @Param('invitationId', uuid) invitationId: string): Promise<void> {
    return this.organizations.revoke(user.id, organizationId, invitationId);
  }

  @Patch(':organizationId/members/:userId')
  @ApiOkResponse({ type: OrganizationView })
  changeRole(
    @CurrentUser() user: AuthUser,
    @Param('organizationId', uuid) organizationId: string,
    @Param('userId', uuid) memberId: string,
    @Body() body: ChangeRoleDto,
  ): Promise<OrganizationView> {
    return this.organizations.changeRole(user.id, organizationId, memberId, body.role);
  }

  /** Sets a member's monthly limit in the pool (owners and admins); null removes it. */
  @Put(':organizationId/members/:userId/limit')
  @ApiOkResponse({ type: OrganizationView })
  setLimit(
    @CurrentUser() user: AuthUser,
    @Param('organizationId', uuid) organizationId: string,
    @Param('userId', uuid) memberId: string,
    @Body() body: MemberLimitDto,
  ): Promise<OrganizationView> {
    return this.organizations.setLimit(user.id, organizationId, memberId, body.monthlyLimitTokens);
  }

  /** The pool's usage and the caller's own use of it and limit (any member): the workspace's usage card. */
  @Get(':organizationId/usage')
  @ApiOkResponse({ type: OrganizationUsageView })
  usage(@CurrentUser() user: AuthUser, @Param('organizationId', uuid) organizationId: string, @Headers('accept-language') language?: string): Promise<OrganizationUsageView> {
    return this.organizations.usageOf(user.id, organizationId, localeOf(language));
  }

  /** The pool's ledger, newest first, each member's turn with its member (owners and admins). */
  @Get(':organizationId/ledger')
  @ApiOkResponse({ type: LedgerPageView })
  ledger(@CurrentUser() user: AuthUser, @Param('organizationId', uuid) organizationId: string, @Query() query: HistoryQuery): Promise<LedgerPageView> {
    return this.organizations.ledgerOf(user.id, organizationId, query);
  }

  /** The pool's entries of a range of days as CSV, oldest first (owners and admins; at most 366 days and 100,000 entries). */
  @Get(':organizationId/ledger.csv')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'UTF-8 with a byte order mark; columns: id,createdAt,createdAtLocal,kind,period,memberEmail,amountTokens,freeDelta,purchasedDelta,overageDelta,heldDelta,reason' })
  async ledgerCsv(@CurrentUser() user: AuthUser, @Param('organizationId', uuid) organizationId: string, @Query() query: LedgerExportQuery, @Res() response: Response): Promise<void> {
    await sendCsv(response, await this.reports.ledgerCsv(user.id, organizationId, query));
  }

  /** A member's entries in the pool, newest first (owners and admins: anyone's; a member: their own). */
  @Get(':organizationId/members/:userId/history')
  @ApiOkResponse({ type: LedgerPageView })
  memberHistory(
    @CurrentUser() user: AuthUser,
    @Param('organizationId', uuid) organizationId: string,
    @Param('userId', uuid) memberId: string,
    @Query() query: HistoryQuery,
  ): Promise<LedgerPageView> {
    return this.reports.memberHistory(user.id, organizationId, memberId, query);
  }

  /** A member's tokens of the pool per day (owners and admins: anyone's; a member: their own). */
  @Get(':organizationId/members/:userId/daily')
  @ApiOkResponse({ type: [DailyUsageView] })
  memberDaily(
    @CurrentUser() user: AuthUser,
    @Param('organizationId', uuid) organizationId: string,
    @Param('userId', uuid) memberId: string,
    @Query() query: MemberDailyQuery,
  ): Promise<DailyUsageView[]> {
    return this.reports.memberDaily(user.id, organizationId, memberId, query.days);
  }

  /** Removes a member, or leaves (one's own id); never the last owner. */
  @Delete(':organizationId/members/:userId')
  @HttpCode(204)
  @ApiNoContentResponse()
  remove(@CurrentUser() user: AuthUser, @Param('organizationId', uuid) organizationId: string, @Param('userId', uuid) memberId: string): Promise<void> {
    return this.organizations.removeMember(user.id, organizationId, memberId);
  }
}
