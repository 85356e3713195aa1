import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { NumberedPageQuery } from '../common/pagination.dto.js';
import { UsageView } from '../quota/usage/usage.dto.js';
import { MaxCharacters } from '../common/validation.js';
import { ORGANIZATION_ROLES } from '../database/schema-organizations.js';

export const ORGANIZATION_NAME_MAX_LENGTH = 60;
const INVITABLE_ROLES = ['ADMIN', 'MEMBER'] as const;

export class OrganizationNameDto {
  @ApiProperty({ minLength: 1, maxLength: ORGANIZATION_NAME_MAX_LENGTH, example: '온길 상담센터', description: 'Trimmed; runs of white space become one space' })
  @IsString()
  @MaxCharacters(ORGANIZATION_NAME_MAX_LENGTH)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;
}

export class InviteDto {
  @ApiProperty({ enum: INVITABLE_ROLES, description: 'An admin invites members; an owner admins too' })
  @IsIn(INVITABLE_ROLES)
  role!: 'ADMIN' | 'MEMBER';

  @ApiPropertyOptional({ minimum: 1, maximum: 720, default: 168, description: 'Hours the link stays valid' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(720)
  expiresInHours?: number;
}

export class AcceptInvitationDto {
  @ApiProperty({ description: 'The token of the invitation link' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{32}$/)
  token!: string;
}

export class ChangeRoleDto {
  @ApiProperty({ enum: ORGANIZATION_ROLES })
  @IsIn(ORGANIZATION_ROLES)
  role!: 'OWNER' | 'ADMIN' | 'MEMBER';
}

/** The largest monthly limit an admin may set: far above any pool, well inside a safe integer. */
export const MEMBER_LIMIT_MAX_TOKENS = 1_000_000_000_000;

export class MemberLimitDto {
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: MEMBER_LIMIT_MAX_TOKENS, example: 50_000, description: 'Tokens a month of the pool; null: no limit of their own' })
  @ValidateIf((_object, value) => value !== null)
  @IsInt()
  @Min(0)
  @Max(MEMBER_LIMIT_MAX_TOKENS)
  monthlyLimitTokens!: number | null;
}

export class MemberUsageView {
  @ApiProperty({ type: Number, nullable: true, description: 'Tokens a month of the pool; null: no limit of their own' }) monthlyLimitTokens!: number | null;
  @ApiProperty({ description: 'Tokens of the pool the member used this period' }) usedTokens!: number;
  @ApiProperty({ description: 'Tokens held by the member’s turns in flight' }) heldTokens!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'What the limit leaves; null without a limit' }) remainingTokens!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'used / limit × 100, one decimal; null without a limit' }) usagePercent!: number | null;
}

export class OrganizationUsageView {
  @ApiProperty({ type: UsageView, description: 'The organization’s pool, in the same shape as a person’s usage' }) pool!: UsageView;
  @ApiProperty({ type: MemberUsageView, description: 'The caller’s own use of the pool and their limit' }) member!: MemberUsageView;
}

export class OrganizationSummaryView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ORGANIZATION_ROLES, description: "The caller's role" }) role!: string;
  @ApiProperty() members!: number;
  @ApiProperty() createdAt!: string;
}

export class MemberView {
  @ApiProperty() userId!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ORGANIZATION_ROLES }) role!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Tokens a month of the pool; null: no limit of their own' }) monthlyLimitTokens!: number | null;
  @ApiProperty({ type: MemberUsageView, description: 'The member’s use of the pool this period' }) usage!: MemberUsageView;
  @ApiProperty() joinedAt!: string;
  @ApiProperty({ enum: ORGANIZATION_ROLES, isArray: true, description: 'The roles the caller may give this member (their own excluded)' }) assignableRoles!: string[];
  @ApiProperty({ description: 'Whether the caller may remove this member (leaving is always possible: one’s own entry says so)' }) removable!: boolean;
  @ApiProperty({ description: 'Whether the caller may set this member’s monthly limit (owners: anyone’s; admins: not an owner’s)' }) limitEditable!: boolean;
}

export class OrganizationView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ORGANIZATION_ROLES, description: "The caller's role" }) role!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: [MemberView], nullable: true, description: 'For owners and admins; null for members' }) members!: MemberView[] | null;
  @ApiProperty({ enum: INVITABLE_ROLES, isArray: true, description: 'The roles the caller may invite people with (none for members)' }) invitableRoles!: string[];
}

export class InvitationView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: INVITABLE_ROLES }) role!: string;
  @ApiProperty() expiresAt!: string;
  @ApiProperty() createdAt!: string;
}

export class CreatedInvitationView extends InvitationView {
  @ApiProperty({ description: 'The one-time token; shown once, only its hash is kept' }) token!: string;
  @ApiProperty({ example: '/organizations/join/?token=…', description: 'The link to send (on this site)' }) path!: string;
}

export class MembershipView {
  @ApiProperty() organizationId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ORGANIZATION_ROLES }) role!: string;
}

export class AdminOrganizationsQuery extends NumberedPageQuery {
  @ApiPropertyOptional({ description: 'Part of the name' })
  @IsOptional()
  @IsString()
  @MaxLength(ORGANIZATION_NAME_MAX_LENGTH)
  query?: string;

}

export class AdminOrganizationView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The plan of its pool' }) planId!: string;
  @ApiProperty() members!: number;
  @ApiProperty({ description: 'Tokens its pool was charged this period' }) usedTokens!: number;
  @ApiProperty() capacityTokens!: number;
  @ApiProperty() usagePercent!: number;
  @ApiProperty({ enum: ['NORMAL', 'NOTICE', 'WARNING', 'CRITICAL', 'BLOCKED'] }) level!: string;
  @ApiProperty() createdAt!: string;
}

export class AdminOrganizationPageView {
  @ApiProperty({ type: [AdminOrganizationView], description: 'Most used first' }) items!: AdminOrganizationView[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

export class AdminMemberView {
  @ApiProperty() userId!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ORGANIZATION_ROLES }) role!: string;
  @ApiProperty({ type: MemberUsageView }) usage!: MemberUsageView;
  @ApiProperty() joinedAt!: string;
}

export class AdminOrganizationDetailView {
  @ApiProperty({ type: AdminOrganizationView }) organization!: AdminOrganizationView;
  @ApiProperty({ type: UsageView, description: 'Its pool' }) pool!: UsageView;
  @ApiProperty({ type: [AdminMemberView], description: 'Members with their use of the pool (never their conversations)' }) members!: AdminMemberView[];
}

/** The most days a member's daily series goes back. */
export const MEMBER_DAILY_MAX_DAYS = 90;

/** `?days=`: how many days back a member's daily series goes (today included). */
export class MemberDailyQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MEMBER_DAILY_MAX_DAYS, default: 30 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MEMBER_DAILY_MAX_DAYS)
  days?: number;
}

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** `?from=&to=`: the local days (quota time zone, both included) of a ledger export; at most 366 days. */
export class LedgerExportQuery {
  @ApiPropertyOptional({ format: 'date', example: '2026-11-01', description: 'First day, in the quota time zone; default: 29 days before `to`' })
  @IsOptional()
  @IsString()
  @Matches(DAY_PATTERN)
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date', example: '2026-11-30', description: 'Last day, included; default: today' })
  @IsOptional()
  @IsString()
  @Matches(DAY_PATTERN)
  @IsISO8601({ strict: true })
  to?: string;
}
