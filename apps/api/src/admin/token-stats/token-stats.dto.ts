import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DailyUsageView, LedgerEntryView, UsageView } from '../../quota/usage/usage.dto.js';
import { CursorPageQuery, NumberedPageQuery } from '../../common/pagination.dto.js';

export class StatsQuery {
  @ApiPropertyOptional({ example: '2026-10', description: 'A past month; the current period when omitted' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/)
  period?: string;
}

export class OverviewView {
  @ApiProperty() totalUsers!: number;
  @ApiProperty({ description: 'Users who used tokens in the period' }) activeUsers!: number;
  @ApiProperty() totalUsedTokens!: number;
  @ApiProperty({ description: 'Tokens bought in the period' }) totalPurchasedTokens!: number;
  @ApiProperty({ description: 'Tokens used per active user' }) averageUsedTokens!: number;
}

export class DistributionView {
  @ApiProperty({ description: '0–50 %' }) under50!: number;
  @ApiProperty({ description: '50–80 %' }) under80!: number;
  @ApiProperty({ description: '80–90 %' }) under90!: number;
  @ApiProperty({ description: '90–95 %' }) under95!: number;
  @ApiProperty({ description: '≥ 95 %' }) over95!: number;
}

export class PlanUsageView {
  @ApiProperty({ example: 'free' }) planId!: string;
  @ApiProperty({ description: 'Accounts on the plan in the period' }) users!: number;
  @ApiProperty({ description: 'Of those, the ones who used tokens' }) activeUsers!: number;
  @ApiProperty() usedTokens!: number;
}

export class TopUserView {
  @ApiProperty() userId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() usedTokens!: number;
  @ApiProperty() usagePercent!: number;
  @ApiProperty() purchasedTokens!: number;
  @ApiProperty({ enum: ['NORMAL', 'NOTICE', 'WARNING', 'CRITICAL', 'BLOCKED'] }) level!: string;
  @ApiProperty({ type: String, nullable: true }) lastActiveAt!: string | null;
}

export class TopOrganizationView {
  @ApiProperty() organizationId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'enterprise' }) planId!: string;
  @ApiProperty() members!: number;
  @ApiProperty() usedTokens!: number;
  @ApiProperty() usagePercent!: number;
  @ApiProperty({ enum: ['NORMAL', 'NOTICE', 'WARNING', 'CRITICAL', 'BLOCKED'] }) level!: string;
}

export class OrganizationStatsView {
  @ApiProperty({ description: 'Organizations (their pools) in the period' }) total!: number;
  @ApiProperty({ description: 'Of those, the ones whose pool was used' }) active!: number;
  @ApiProperty({ description: 'Tokens their pools were charged' }) usedTokens!: number;
  @ApiProperty({ type: [PlanUsageView], description: 'Per plan of the pool (users: organizations), most first' }) plans!: PlanUsageView[];
  @ApiProperty({ type: [TopOrganizationView], description: 'The pools that used the most tokens' }) top!: TopOrganizationView[];
}

export class TokenStatsView {
  @ApiProperty() period!: string;
  @ApiProperty({ type: OverviewView }) overview!: OverviewView;
  @ApiProperty({ type: DistributionView }) distribution!: DistributionView;
  @ApiProperty({ type: [PlanUsageView], description: 'Per plan (the plan an account is on in the period), most users first' }) plans!: PlanUsageView[];
  @ApiProperty({ type: [TopUserView] }) topUsers!: TopUserView[];
  @ApiProperty({ type: OrganizationStatsView, description: 'Organizations’ pools (not counted among the users above)' }) organizations!: OrganizationStatsView;
  @ApiProperty() generatedAt!: string;
  @ApiProperty({ description: 'True when served from the cache' }) cached!: boolean;
}

/** The user's ledger page: 50 entries unless asked otherwise. */
export class UserDetailQuery extends CursorPageQuery {}

export class UserDetailView {
  @ApiProperty() userId!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ['USER', 'ADMIN'] }) role!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ description: 'Suspended by an admin: its sessions and API keys are refused' }) suspended!: boolean;
  @ApiProperty({ description: 'Deleted by its owner: only the anonymized ledger and payments remain' }) deleted!: boolean;
  @ApiProperty({ type: String, nullable: true }) lastActiveAt!: string | null;
  @ApiProperty({ type: UsageView, description: 'State, free/purchased split and forecast' }) usage!: UsageView;
  @ApiProperty({ type: [LedgerEntryView] }) ledger!: LedgerEntryView[];
  @ApiProperty({ type: Number, nullable: true }) ledgerNextCursor!: number | null;
  @ApiProperty({ type: [LedgerEntryView], description: 'Admin adjustments with actor and reason' }) adjustments!: LedgerEntryView[];
  @ApiProperty({ type: [DailyUsageView], description: 'The last 90 days' }) dailyUsage!: DailyUsageView[];
  @ApiProperty() conversations!: number;
  @ApiProperty() notificationsSent!: number;
}

export const USER_SORTS = ['usage', 'email', 'lastActive', 'created'] as const;
export const LEVEL_FILTERS = ['NORMAL', 'NOTICE', 'WARNING', 'CRITICAL', 'BLOCKED'] as const;

export class UsersQuery extends NumberedPageQuery {
  @ApiPropertyOptional({ description: 'Part of an email' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  query?: string;

  @ApiPropertyOptional({ enum: LEVEL_FILTERS })
  @IsOptional()
  @IsIn(LEVEL_FILTERS)
  level?: (typeof LEVEL_FILTERS)[number];

  @ApiPropertyOptional({ enum: USER_SORTS, default: 'usage' })
  @IsOptional()
  @IsIn(USER_SORTS)
  sort?: (typeof USER_SORTS)[number];

}

export class UserPageView {
  @ApiProperty({ type: [TopUserView] }) items!: TopUserView[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

export class ExportQuery {
  @ApiPropertyOptional({ enum: ['top', 'all'], default: 'top' })
  @IsOptional()
  @IsIn(['top', 'all'])
  scope?: 'top' | 'all';
}

export class CacheClearedView {
  @ApiProperty() cleared!: boolean;
}

export class LedgerProblemView {
  @ApiProperty() userId!: string;
  @ApiProperty({ type: [String] }) problems!: string[];
}

export class PaymentGrantProblemView {
  @ApiProperty() orderId!: string;
  @ApiProperty({ example: 'paid order with 0 grants' }) problem!: string;
}

export class MemberLimitProblemView {
  @ApiProperty() organizationId!: string;
  @ApiProperty() userId!: string;
  @ApiProperty({ type: [String] }) problems!: string[];
}

export class ApiKeyUsageProblemView {
  @ApiProperty() keyId!: string;
  @ApiProperty({ type: [String] }) problems!: string[];
}

export class LedgerVerifyView {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'Token accounts checked: every user’s and every organization’s pool' }) accountsChecked!: number;
  @ApiProperty({ type: [LedgerProblemView] }) accounts!: LedgerProblemView[];
  @ApiProperty({ type: [MemberLimitProblemView], description: 'Members whose usage in their organization’s pool differs from the pool’s ledger entries for them' })
  members!: MemberLimitProblemView[];
  @ApiProperty({ type: [ApiKeyUsageProblemView], description: 'API keys whose usage (budget) differs from the ledger entries that name them' })
  apiKeys!: ApiKeyUsageProblemView[];
  @ApiProperty({ description: 'Open holds past their expiry (the sweeper is behind or stopped)' }) expiredOpenHolds!: number;
  @ApiProperty({ type: [PaymentGrantProblemView], description: 'Paid orders without exactly one grant, and purchase grants without a paid order' })
  payments!: PaymentGrantProblemView[];
  @ApiProperty() checkedAt!: string;
}
