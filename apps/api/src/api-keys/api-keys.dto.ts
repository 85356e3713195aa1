import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { MaxCharacters } from '../common/validation.js';

export const API_KEY_NAME_MAX_LENGTH = 100;

export class CreateApiKeyDto {
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
