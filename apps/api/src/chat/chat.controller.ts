import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, type AuthUser } from '../auth/auth.decorators.js';
import { NotFoundError } from '../common/errors.js';
import { ApiIdempotencyKey, IdempotencyKey } from '../common/idempotency-key.decorator.js';
import { localeOf } from '../common/locale.js';
import { ChatTurnsService } from './chat-turns.service.js';
import {
  ConversationPageView,
  ConversationsQuery,
  ConversationSummaryView,
  ConversationView,
  EstimateDto,
  EstimateView,
  ModelView,
  RenameConversationDto,
  SendMessageDto,
  TurnView,
} from './chat.dto.js';
import { ConversationsService } from './conversations.service.js';

const ownId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError() });

@ApiTags('chat')
@ApiBearerAuth()
@Controller('chat')
export class ChatController {
  constructor(
    private readonly turns: ChatTurnsService,
    private readonly conversations: ConversationsService,
  ) {}

  @Post('send')
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: TurnView })
  send(
    @CurrentUser() user: AuthUser,
    @Body() body: SendMessageDto,
    @IdempotencyKey() key: string | null,
    @Res({ passthrough: true }) response: Response,
    @Headers('accept-language') language?: string,
  ): Promise<TurnView | null> {
    return this.turns.send(user, body, localeOf(language), key, response);
  }

  /** The same turn as Server-Sent Events: `start`, `delta`…, `usage`, `done` (or `error`). */
  @Post('stream')
  @ApiIdempotencyKey()
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'event: start | delta | usage | done | error' })
  stream(
    @CurrentUser() user: AuthUser,
    @Body() body: SendMessageDto,
    @IdempotencyKey() key: string | null,
    @Res() response: Response,
    @Headers('accept-language') language?: string,
  ): Promise<void> {
    return this.turns.stream(user, body, localeOf(language), key, response);
  }

  @Post('estimate')
  @HttpCode(200)
  @ApiOkResponse({ type: EstimateView })
  estimate(@CurrentUser() user: AuthUser, @Body() body: EstimateDto, @Headers('accept-language') language?: string): Promise<EstimateView> {
    return this.turns.estimate(user.id, body, localeOf(language));
  }

  @Get('models')
  @ApiOkResponse({ type: [ModelView] })
  models(@CurrentUser() user: AuthUser): Promise<ModelView[]> {
    return this.turns.models(user.id);
  }

  @Get('conversations')
  @ApiOkResponse({ type: ConversationPageView })
  list(@CurrentUser() user: AuthUser, @Query() query: ConversationsQuery): Promise<ConversationPageView> {
    return this.conversations.list(user.id, query);
  }

  @Get('conversations/:id')
  @ApiOkResponse({ type: ConversationView })
  get(@CurrentUser() user: AuthUser, @Param('id', ownId) id: string): Promise<ConversationView> {
    return this.conversations.get(user.id, id);
  }

  /** Restores an archived conversation so it can be continued (404 when it is not yours or not archived). */
  @Post('conversations/:id/restore')
  @HttpCode(200)
  @ApiOkResponse({ type: ConversationView })
  restore(@CurrentUser() user: AuthUser, @Param('id', ownId) id: string): Promise<ConversationView> {
    return this.conversations.restore(user.id, id);
  }

  @Patch('conversations/:id')
  @ApiOkResponse({ type: ConversationSummaryView })
  rename(@CurrentUser() user: AuthUser, @Param('id', ownId) id: string, @Body() body: RenameConversationDto): Promise<ConversationSummaryView> {
    return this.conversations.rename(user.id, id, body.title);
  }

  /** The conversation and its messages; the ledger keeps what its turns were charged. */
  @Delete('conversations/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(@CurrentUser() user: AuthUser, @Param('id', ownId) id: string): Promise<void> {
    await this.conversations.remove(user.id, id);
  }
}
