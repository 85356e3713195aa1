import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { MaxCharacters } from '../common/validation.js';

export const API_KEY_NAME_MAX_LENGTH = 100;
/** A budget no account could reach (a trillion tokens): bounds what is stored. */
const MAX_BUDGET_TOKENS = 1_000_000_000_000;

/** A key's limits and models; each may be left out (left as it is) or null (none of its own). */
export class ApiKeySettingsDto {
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, maximum: MAX_BUDGET_TOKENS, description: 'Tokens a month the key may spend, reserved with every turn; null: no budget of its own (the account’s limits still apply)' })
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsInt()
  @Min(0)
  @Max(MAX_BUDGET_TOKENS)
  monthlyBudgetTokens?: number | null;

  @ApiPropertyOptional({ type: [String], nullable: true, maxItems: 20, description: 'Model ids the key may use, within its plan’s; null: all the plan’s' })
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  models?: string[] | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 10_000, description: 'Turns a minute, on every instance together; null: the plan’s alone' })
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsInt()
  @Min(1)
  @Max(10_000)
  turnsPerMinute?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 100, description: 'Turns in flight at once; null: the plan’s alone' })
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsInt()
  @Min(1)
  @Max(100)
  concurrentTurns?: number | null;

  @ApiPropertyOptional({ description: 'Keep the key’s turns as conversations of its creator (default: only their ledger entries)' })
  @IsOptional()
  @IsBoolean()
  keepConversations?: boolean;
}

export class CreateApiKeyDto extends ApiKeySettingsDto {
  @ApiProperty({ minLength: 1, maxLength: API_KEY_NAME_MAX_LENGTH, example: '상담 봇 (운영)', description: 'Trimmed; runs of white space become one space' })
  @IsString()
  @MaxCharacters(API_KEY_NAME_MAX_LENGTH)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 3650, description: 'Days the key works; without it, until revoked' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;
}

export class UpdateApiKeyDto extends ApiKeySettingsDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: API_KEY_NAME_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxCharacters(API_KEY_NAME_MAX_LENGTH)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;
}

export class ApiKeyPeriodUsageView {
  @ApiProperty({ example: '2026-11', description: 'The quota period counted' }) periodKey!: string;
  @ApiProperty({ description: 'Tokens charged to the key this period' }) consumedTokens!: number;
  @ApiProperty({ description: 'Tokens held by its turns in flight' }) heldTokens!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'What is left of its budget; null without one' }) remainingTokens!: number | null;
}

export class ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'co_live_Ab3dEf6hIj9k', description: 'The start of the key: all that is shown after its creation' }) prefix!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: "The organization whose pool it spends; null for a personal key" }) organizationId!: string | null;
  @ApiProperty({ description: 'Who made it' }) createdByEmail!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'Last use, to the minute' }) lastUsedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) expiresAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) revokedAt!: string | null;
  @ApiProperty({ type: Number, nullable: true }) monthlyBudgetTokens!: number | null;
  @ApiProperty({ type: [String], nullable: true }) models!: string[] | null;
  @ApiProperty({ type: Number, nullable: true }) turnsPerMinute!: number | null;
  @ApiProperty({ type: Number, nullable: true }) concurrentTurns!: number | null;
  @ApiProperty() keepConversations!: boolean;
  @ApiProperty({ type: ApiKeyPeriodUsageView }) usage!: ApiKeyPeriodUsageView;
}

export class ApiKeyUsageDayView {
  @ApiProperty({ example: '2026-11-30', description: 'A day in the quota’s time zone' }) day!: string;
  @ApiProperty({ description: 'Tokens charged' }) tokens!: number;
  @ApiProperty({ description: 'Turns charged' }) turns!: number;
}

export class ApiKeyUsageView extends ApiKeyPeriodUsageView {
  @ApiProperty({ format: 'uuid' }) keyId!: string;
  @ApiProperty({ type: [ApiKeyUsageDayView], description: 'The last 30 days, oldest first (days without use with 0)' }) days!: ApiKeyUsageDayView[];
}

export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({ example: 'co_live_…', description: 'The key itself: shown this once, only its hash is kept' }) key!: string;
}

/** GET /v1/models: OpenAI's list of models. */
export class OpenAiModelView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['model'] }) object!: 'model';
  @ApiProperty({ description: 'Unix seconds' }) created!: number;
  @ApiProperty() owned_by!: string;
}

export class OpenAiModelListView {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [OpenAiModelView] }) data!: OpenAiModelView[];
}
