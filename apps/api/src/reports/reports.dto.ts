import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

const TOKENS_BY_KEY = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export class MonthQuery {
  @ApiPropertyOptional({ example: '2026-11', description: 'YYYY-MM in the quota’s time zone; default: this month' })
  @IsOptional()
  @Matches(/^20[2-9]\d-(0[1-9]|1[0-2])$/, { message: 'month must be YYYY-MM, from 2020' })
  month?: string;
}

export class MonthlyUsageView {
  @ApiProperty() tokens!: number;
  @ApiProperty() turns!: number;
  @ApiProperty() activeDays!: number;
  @ApiProperty() avgTokensPerTurn!: number;
  @ApiProperty() p90TokensPerTurn!: number;
  @ApiProperty({ ...TOKENS_BY_KEY, description: 'Tokens by day of the month ("1"…"31"); days without use are absent' }) byDay!: Record<string, number>;
  @ApiProperty({ ...TOKENS_BY_KEY, description: 'Tokens by (ISO weekday − 1) × 24 + hour: "0" is Monday 00 h, "167" Sunday 23 h' }) byHour!: Record<string, number>;
  @ApiProperty({ ...TOKENS_BY_KEY, description: 'Tokens by model' }) byModel!: Record<string, number>;
}

export class UsageReportView {
  @ApiProperty({ example: '2026-11' }) month!: string;
  @ApiProperty({ description: 'Days in the month' }) days!: number;
  @ApiProperty({ description: 'Whether the month is still under way (computed now, not by the monthly job)' }) current!: boolean;
  @ApiProperty({ type: MonthlyUsageView }) usage!: MonthlyUsageView;
  @ApiProperty({ type: MonthlyUsageView, nullable: true, description: 'The month before' }) previous!: MonthlyUsageView | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Change against the month before: of the total, or (a month under way) of the tokens by the same day' })
  change!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Expected total of the month at its pace so far (its total once it is over); null in its first day' })
  forecastTokens!: number | null;
  @ApiProperty({ type: [String], description: 'Plain-language findings, in the caller’s language' }) findings!: string[];
}

export class PlanDistributionView {
  @ApiProperty() plan!: string;
  @ApiProperty() users!: number;
  @ApiProperty() tokens!: number;
  @ApiProperty() p50!: number;
  @ApiProperty() p90!: number;
  @ApiProperty() p99!: number;
}

export class WarningConversionView {
  @ApiProperty({ enum: ['WARNING', 'CRITICAL', 'BLOCKED'] }) level!: string;
  @ApiProperty({ description: 'People who reached the level in the month' }) users!: number;
  @ApiProperty({ description: 'Of them, people who bought tokens within 30 days after' }) bought!: number;
}

export class CohortReportView {
  @ApiProperty({ example: '2026-11' }) month!: string;
  @ApiProperty() current!: boolean;
  @ApiProperty({ description: 'People who chatted on their own account in the month' }) activeUsers!: number;
  @ApiProperty({ description: 'Of them, accounts made in the month' }) newUsers!: number;
  @ApiProperty() returningUsers!: number;
  @ApiProperty() tokens!: number;
  @ApiProperty({ type: [PlanDistributionView] }) plans!: PlanDistributionView[];
  @ApiProperty({ type: [WarningConversionView] }) warnings!: WarningConversionView[];
  @ApiProperty({ description: 'Share of the tokens used by the top 1 % of active people (0–1)' }) top1Share!: number;
  @ApiProperty({ description: 'Share of the tokens used by the top 10 % (0–1)' }) top10Share!: number;
}
