import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, NotEquals } from 'class-validator';
import { LEDGER_ENTRY_KINDS } from '../../database/schema.js';
import { CursorPageQuery } from '../../common/pagination.dto.js';

const LEVELS = ['NORMAL', 'NOTICE', 'WARNING', 'CRITICAL', 'BLOCKED'];

export class UsageThresholdsView {
  @ApiProperty({ example: 80 }) notice!: number;
  @ApiProperty({ example: 90 }) warning!: number;
  @ApiProperty({ example: 95 }) critical!: number;
  @ApiProperty({ example: 105 }) block!: number;
}

export class ForecastRangeView {
  @ApiProperty({ type: String, nullable: true }) earliest!: string | null;
  @ApiProperty({ type: String, nullable: true }) latest!: string | null;
}

export class ForecastView {
  @ApiProperty({ description: 'Mean tokens per day over the last 14 days' }) burnRatePerDay!: number;
  @ApiProperty({ description: 'Standard deviation of the daily figures' }) dailySpread!: number;
  @ApiProperty({ type: String, nullable: true, description: 'When 100 % is expected; null when the reset comes first' }) reach100At!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'When 105 % (chat blocked) is expected' }) reach105At!: string | null;
  @ApiProperty({ type: ForecastRangeView }) reach100Range!: ForecastRangeView;
  @ApiProperty() resetComesFirst!: boolean;
  @ApiProperty() sampleDays!: number;
}

export class UsagePlanView {
  @ApiProperty({ example: 'free' }) id!: string;
  @ApiProperty({ description: "In the reader's language" }) name!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The plan that starts at the next reset; null: the same plan goes on' }) nextId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The next plan's name; null when the same plan goes on" }) nextName!: string | null;
}

export class UsageView {
  @ApiProperty({ enum: LEVELS }) level!: string;
  @ApiProperty({ description: 'consumed / capacity × 100, two decimals, rounded down' }) usagePercent!: number;
  @ApiProperty({ description: 'Tokens consumed this period (including overage carried in)' }) usedTokens!: number;
  @ApiProperty({ description: 'capacity − consumed; negative in the grace zone' }) remainingTokens!: number;
  @ApiProperty({ description: 'Free allowance + purchased tokens available this period' }) totalAvailable!: number;
  @ApiProperty() freeTokens!: number;
  @ApiProperty() purchasedTokens!: number;
  @ApiProperty({ description: 'Tokens used beyond 100 %, owed to the next period' }) overageTokens!: number;
  @ApiProperty({ description: 'Tokens reserved by turns in flight' }) heldTokens!: number;
  @ApiProperty() graceInUse!: boolean;
  @ApiProperty() chatAllowed!: boolean;
  @ApiProperty({ description: 'Whether the UI should offer the purchase button (≥ notice)' }) showPurchaseButton!: boolean;
  @ApiProperty() estimatedTurns!: number;
  @ApiProperty() averageTokensPerTurn!: number;
  @ApiProperty({ example: '2026-11' }) period!: string;
  @ApiProperty() periodStart!: string;
  @ApiProperty({ description: 'Next monthly reset (00:00 on the 1st in the quota time zone)' }) nextResetAt!: string;
  @ApiProperty() timeZone!: string;
  @ApiProperty({ type: UsageThresholdsView }) thresholds!: UsageThresholdsView;
  @ApiProperty({ type: String, description: 'Warning sentence at WARNING or above', nullable: true }) message!: string | null;
  @ApiProperty() purchaseUrl!: string;
  @ApiProperty({ type: ForecastView, description: 'Expected exhaustion at the recent burn rate' }) forecast!: ForecastView;
  @ApiProperty({ type: UsagePlanView, description: 'The plan whose allowance this period has' }) plan!: UsagePlanView;
}

export class LedgerEntryView {
  @ApiProperty() id!: number;
  @ApiProperty({ enum: LEDGER_ENTRY_KINDS }) kind!: string;
  @ApiProperty() period!: string;
  @ApiProperty() amountTokens!: number;
  @ApiProperty() freeDelta!: number;
  @ApiProperty() purchasedDelta!: number;
  @ApiProperty() overageDelta!: number;
  @ApiProperty() heldDelta!: number;
  @ApiProperty({ type: String, nullable: true }) holdId!: string | null;
  @ApiProperty({ type: String, nullable: true }) paymentId!: string | null;
  @ApiProperty({ type: String, nullable: true }) actorId!: string | null;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ nullable: true, type: Object }) metadata!: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true, description: "The chat turn's conversation, while it exists (null once deleted, and for entries of no conversation)" })
  conversationId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "In an organization's pool: the email of the member whose turn it was; null elsewhere" })
  memberEmail!: string | null;
  @ApiProperty() createdAt!: string;
}

export class LedgerPageView {
  @ApiProperty({ type: [LedgerEntryView] }) items!: LedgerEntryView[];
  @ApiProperty({ type: Number, nullable: true, description: 'Pass as `before` for the next page' }) nextCursor!: number | null;
}

export class HistoryQuery extends CursorPageQuery {}

/** `?days=`: how many days back the daily series goes (today included). */
export class DailyUsageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 366, default: 90 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(366)
  days?: number;
}

export class DailyUsageView {
  @ApiProperty({ example: '2026-11-10', description: 'A day in the quota time zone' }) day!: string;
  @ApiProperty({ description: 'Tokens consumed that day' }) tokens!: number;
}

export class TestUsageDto {
  @ApiProperty() @IsUUID() userId!: string;

  @ApiProperty({ minimum: 0, maximum: 200, example: 90 })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(200)
  usagePercent!: number;
}

export class AdjustmentDto {
  @ApiProperty({ description: 'Tokens to add (positive) or remove (negative)', example: 50_000 })
  @IsInt()
  @NotEquals(0)
  @Min(-1_000_000_000)
  @Max(1_000_000_000)
  tokens!: number;

  @ApiPropertyOptional({ enum: ['purchased', 'free'], default: 'purchased', description: 'Bucket credited: purchased tokens never expire, free ones expire at the reset' })
  @IsOptional()
  @IsIn(['purchased', 'free'])
  bucket?: 'purchased' | 'free';

  @ApiProperty({ minLength: 3, maxLength: 500, example: '상담 오류 보상' })
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason!: string;
}
