import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { OffsetPageQuery } from '../common/pagination.dto.js';
import { MaxCharacters, MaxUtf8Bytes } from '../common/validation.js';

export const MESSAGE_MAX_LENGTH = 8_000;
/** What counting a message costs grows with its UTF-8 bytes, not its characters: 8,000 Korean syllables fit. */
export const MESSAGE_MAX_BYTES = 24_000;

export class SendMessageDto {
  @ApiProperty({ minLength: 1, maxLength: MESSAGE_MAX_LENGTH, example: '안녕하세요', description: `At most ${MESSAGE_MAX_LENGTH} characters and ${MESSAGE_MAX_BYTES} bytes in UTF-8` })
  @IsString()
  @MinLength(1)
  @MaxCharacters(MESSAGE_MAX_LENGTH)
  @MaxUtf8Bytes(MESSAGE_MAX_BYTES)
  @Matches(/\S/, { message: 'message must not be blank' })
  message!: string;

  @ApiPropertyOptional({ description: 'Continue this conversation; omit to start a new one' })
  @IsOptional()
  @IsUUID()
  conversationId?: string;

  @ApiPropertyOptional({ example: 'consult-basic', description: 'A model id from GET /api/chat/models' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  model?: string;

  @ApiPropertyOptional({
    description: "The workspace: an organization you belong to, whose pool (and your monthly limit in it) the turn is charged to; omit for your own account. A conversation keeps the workspace it started in.",
  })
  @IsOptional()
  @IsUUID()
  organizationId?: string;
}

export class EstimateDto extends SendMessageDto {}

export class TokenWarningView {
  @ApiProperty({ enum: ['WARNING', 'CRITICAL', 'BLOCKED'] }) level!: string;
  @ApiProperty({ description: 'Rounded, never negative; says when the 5 % grace is in use' }) message!: string;
  @ApiProperty() remainingTokens!: number;
  @ApiProperty() estimatedTurns!: number;
  @ApiProperty() usagePercent!: number;
  @ApiProperty() purchaseUrl!: string;
}

export class TurnUsageView {
  @ApiProperty() promptTokens!: number;
  @ApiProperty() completionTokens!: number;
  @ApiProperty({ description: 'Tokens charged: ⌈prompt × input weight + completion × output weight⌉' }) chargedTokens!: number;
  @ApiProperty() purchasedTokens!: number;
  @ApiProperty() freeTokens!: number;
  @ApiProperty() overageTokens!: number;
  @ApiProperty({ description: 'True when the provider reported no usage and the tokenizer count was charged' }) estimated!: boolean;
}

export class TurnView {
  @ApiProperty() conversationId!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'The reply message; null in the rare case the turn was charged but could not be recorded' })
  messageId!: number | null;
  @ApiProperty() model!: string;
  @ApiProperty() content!: string;
  @ApiProperty({ type: TurnUsageView }) usage!: TurnUsageView;
  @ApiProperty({ type: TokenWarningView, nullable: true }) warning!: TokenWarningView | null;
  @ApiProperty({ enum: ['NORMAL', 'NOTICE', 'WARNING', 'CRITICAL', 'BLOCKED'] }) level!: string;
  @ApiProperty() usagePercent!: number;
  @ApiProperty() remainingTokens!: number;
}

export class EstimateView {
  @ApiProperty() model!: string;
  @ApiProperty() promptTokens!: number;
  @ApiProperty() maxCompletionTokens!: number;
  @ApiProperty({ description: 'Charge if the reply uses the whole completion limit (what is held)' }) maxChargeTokens!: number;
  @ApiProperty({ description: 'Charge for a reply of typical length' }) typicalChargeTokens!: number;
  @ApiProperty() remainingTokens!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'typicalChargeTokens / remainingTokens × 100' }) shareOfRemainingPercent!: number | null;
  @ApiProperty({ description: 'Whether a turn may start now' }) allowed!: boolean;
  @ApiProperty({ description: 'Tokens of the earlier messages resent with this turn (the context), at most CHAT_CONTEXT_MAX_TOKENS' }) contextTokens!: number;
  @ApiProperty({ description: 'Percent (0–100, one decimal) of typicalChargeTokens that the resent context accounts for' }) contextShare!: number;
  @ApiProperty({ description: 'Whether older turns were left out of the context to keep it under the cap' }) contextTruncated!: boolean;
  @ApiProperty({ description: 'The context cap (CHAT_CONTEXT_MAX_TOKENS)' }) contextMaxTokens!: number;
  @ApiProperty({ description: 'True when the context is large (half the cap or more, or older turns were left out): a new conversation would cost less per turn' })
  suggestNewConversation!: boolean;
}

export class ModelView {
  @ApiProperty() id!: string;
  @ApiProperty() inputWeight!: number;
  @ApiProperty() outputWeight!: number;
  @ApiProperty({ description: "Most completion tokens per turn, under the caller's plan" }) completionLimit!: number;
  @ApiProperty({ description: 'The model a turn that names none gets (for this caller)' }) isDefault!: boolean;
  @ApiProperty({ description: "Whether the caller's plan includes it (a turn on it is refused with 402 PLAN_MODEL_NOT_ALLOWED)" }) allowed!: boolean;
}

export const CONVERSATION_TITLE_MAX_LENGTH = 100;
export const CONVERSATION_QUERY_MAX_LENGTH = 100;

export class ConversationsQuery extends OffsetPageQuery {
  @ApiPropertyOptional({ maxLength: CONVERSATION_QUERY_MAX_LENGTH, description: 'Only conversations whose title or messages contain this text (case-insensitive, literal: % and _ match themselves)' })
  @IsOptional()
  @IsString()
  @MaxCharacters(CONVERSATION_QUERY_MAX_LENGTH)
  q?: string;

  @ApiPropertyOptional({ description: 'The workspace: the conversations charged to this organization’s pool; omit for those of your own account' })
  @IsOptional()
  @IsUUID()
  organizationId?: string;
}

export class RenameConversationDto {
  @ApiProperty({ minLength: 1, maxLength: CONVERSATION_TITLE_MAX_LENGTH, example: '이직 상담', description: 'Trimmed; runs of white space become one space' })
  @IsString()
  @MaxCharacters(CONVERSATION_TITLE_MAX_LENGTH)
  @Matches(/\S/, { message: 'title must not be blank' })
  title!: string;
}

export class ConversationSummaryView {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() model!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The workspace its turns are charged to: an organization, or null (your own account)' }) organizationId!: string | null;
  @ApiProperty() turnCount!: number;
  @ApiProperty() chargedTokens!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ description: 'Idle long enough to be archived: it opens read-only until restored (POST …/restore)' }) archived!: boolean;
}

export class ConversationPageView {
  @ApiProperty({ type: [ConversationSummaryView] }) items!: ConversationSummaryView[];
  @ApiProperty() total!: number;
}

export class MessageView {
  @ApiProperty() id!: number;
  @ApiProperty({ enum: ['user', 'assistant'] }) role!: string;
  @ApiProperty() content!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: TurnUsageView, nullable: true, description: 'The receipt of an assistant message' }) usage!: TurnUsageView | null;
}

export class ConversationView extends ConversationSummaryView {
  @ApiProperty({ type: [MessageView] }) messages!: MessageView[];
}
