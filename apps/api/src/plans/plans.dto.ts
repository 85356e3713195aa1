import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { PLAN_ID } from '../config/plans-config.js';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

const MODEL_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export class PlanView {
  @ApiProperty({ example: 'plus' }) id!: string;
  @ApiProperty({ description: "In the reader's language" }) name!: string;
  @ApiProperty({ description: 'Tokens granted at each monthly reset' }) monthlyTokens!: number;
  @ApiProperty({ type: [String], nullable: true, description: 'The models it may use; null: every model' }) models!: string[] | null;
  @ApiProperty({ description: 'Most completion tokens per turn' }) completionLimit!: number;
  @ApiProperty() turnsPerMinute!: number;
  @ApiProperty({ description: 'Answers being written at once' }) concurrentTurns!: number;
  @ApiProperty({ description: 'KRW a month, VAT included' }) priceKrw!: number;
  @ApiProperty() forSale!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) retiredAt!: string | null;
}

export class CurrentPlanView {
  @ApiProperty() planId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The plan that starts at the next reset; null: the same plan goes on' }) nextPlanId!: string | null;
  @ApiProperty({ format: 'date-time', description: 'When this period ends (the next reset)' }) periodEndsAt!: string;
  @ApiProperty({ type: String, nullable: true, example: '2026-12', description: 'The last period (YYYY-MM) the paid plan’s payments cover; null: the plan does not depend on payments (free, or an admin’s contract)' })
  paidThrough!: string | null;
  @ApiProperty({ description: 'The paid plan is not paid for the next period yet: unless its renewal is paid before, the account is on the free plan from the reset' })
  endsUnpaidAtReset!: boolean;
}

export class PlansPageView {
  @ApiProperty({ type: [PlanView], description: 'Plans on sale, and the account’s own (even when retired)' }) plans!: PlanView[];
  @ApiProperty({ type: CurrentPlanView }) current!: CurrentPlanView;
}

export class PlanChangeView {
  @ApiProperty({ enum: ['same', 'upgrade', 'downgrade'], description: 'upgrade: applied now; downgrade: at the next reset; same: nothing changes (a pending change is cancelled)' })
  change!: 'same' | 'upgrade' | 'downgrade';
  @ApiProperty({ description: 'Tokens added to this period by an upgrade (the allowances’ difference)' }) addedTokens!: number;
  @ApiProperty({ type: CurrentPlanView }) current!: CurrentPlanView;
}

export class ChoosePlanDto {
  @ApiProperty({ example: 'free' })
  @IsString()
  @Matches(PLAN_ID)
  planId!: string;
}

export class PlanNameDto {
  @ApiProperty({ maxLength: 40 })
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  ko!: string;

  @ApiProperty({ maxLength: 40 })
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  en!: string;
}

/** The figures of a plan, each optional: what an admin changes. */
export class UpdatePlanDto {
  @ApiPropertyOptional({ type: PlanNameDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PlanNameDto)
  name?: PlanNameDto;

  @ApiPropertyOptional({ minimum: 0, maximum: 1_000_000_000_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  monthlyTokens?: number;

  @ApiPropertyOptional({ type: [String], nullable: true, description: 'Model ids; null: every model' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @Matches(MODEL_ID, { each: true })
  models?: string[] | null;

  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  completionLimit?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  turnsPerMinute?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  concurrentTurns?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100_000_000, description: 'KRW a month, VAT included' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  priceKrw?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  forSale?: boolean;
}

/** A new plan: every figure. */
export class CreatePlanDto {
  @ApiProperty({ example: 'team', pattern: PLAN_ID.source })
  @IsString()
  @Matches(PLAN_ID)
  id!: string;

  @ApiProperty({ type: PlanNameDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PlanNameDto)
  name!: PlanNameDto;

  @ApiProperty({ minimum: 0, maximum: 1_000_000_000_000 })
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  monthlyTokens!: number;

  @ApiProperty({ type: [String], nullable: true, description: 'Model ids; null: every model' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @Matches(MODEL_ID, { each: true })
  models!: string[] | null;

  @ApiProperty({ minimum: 1, maximum: 1_000_000 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  completionLimit!: number;

  @ApiProperty({ minimum: 1, maximum: 100_000 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  turnsPerMinute!: number;

  @ApiProperty({ minimum: 1, maximum: 10_000 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  concurrentTurns!: number;

  @ApiProperty({ minimum: 0, maximum: 100_000_000, description: 'KRW a month, VAT included' })
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  priceKrw!: number;

  @ApiProperty()
  @IsBoolean()
  forSale!: boolean;
}

export class AdminPlanView extends PlanView {
  @ApiProperty({ description: 'Accounts on it now' }) accounts!: number;
  @ApiProperty({ description: 'Accounts moving to it at the next reset' }) joining!: number;
  @ApiProperty({ enum: ['config', 'admin'], description: 'config: PLANS sets its figures at each start; admin: changed here, config no longer does' }) managedBy!: string;
}
