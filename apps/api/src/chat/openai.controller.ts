import { All, Body, Controller, Get, Headers, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ModelNotFoundError, NotFoundError } from '../common/errors.js';
import { ApiKeyGuard, CurrentApiKey } from '../api-keys/api-key.guard.js';
import type { ApiKeyPrincipal } from '../api-keys/api-keys.service.js';
import { OpenAiModelListView, OpenAiModelView } from '../api-keys/api-keys.dto.js';
import { Public } from '../auth/auth.decorators.js';
import { localeOf } from '../common/locale.js';
import { ChatTurnsService } from './chat-turns.service.js';
import { OpenAiChatService } from './openai-chat.service.js';
import { parseChatCompletionRequest } from './openai-request.js';

/** The catalog is read at the start: its models exist since then, as OpenAI's `created` says. */
const CATALOG_LOADED = Math.floor(Date.now() / 1000);

/**
 * OpenAI's wire format for other clients (the official SDKs, LangChain, Open WebUI), with an API
 * key instead of a session; errors in OpenAI's envelope (HttpExceptionFilter).
 */
@ApiTags('openai')
@ApiBearerAuth()
@Public()
@UseGuards(ApiKeyGuard)
@Controller('v1')
export class OpenAiController {
  constructor(
    private readonly turns: ChatTurnsService,
    private readonly completions: OpenAiChatService,
  ) {}

  /** The models the key may use: its account's plan's, within the key's own list. */
  @Get('models')
  @ApiOkResponse({ type: OpenAiModelListView })
  async models(@CurrentApiKey() key: ApiKeyPrincipal): Promise<OpenAiModelListView> {
    const models = await this.turns.models(key.accountId);
    return { object: 'list', data: models.filter((model) => model.allowed && (!key.models || key.models.includes(model.id))).map((model) => ({ id: model.id, object: 'model', created: CATALOG_LOADED, owned_by: 'consult-on' })) };
  }

  /**
   * A metered chat turn in OpenAI's wire format: one `chat.completion`, or with `stream: true`
   * Server-Sent Events of `chat.completion.chunk` ending with `data: [DONE]`. The account's usage
   * level (the soft limit's warning) is in the `x-consult-on-usage-level` header.
   */
  @Post('chat/completions')
  @ApiBody({ description: "OpenAI's chat completions request: model, messages, max_tokens / max_completion_tokens, temperature, stream, stream_options.include_usage, user" })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ description: 'chat.completion, or chat.completion.chunk events' })
  async chatCompletions(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @Body() body: Record<string, unknown>,
    @Res() response: Response,
    @Headers('accept-language') language?: string,
  ): Promise<void> {
    await this.completions.complete(key, parseChatCompletionRequest(body), localeOf(language), response);
  }

  /** One model the key may use (OpenAI's `models.retrieve`); 404 `model_not_found` otherwise. */
  @Get('models/:model')
  @ApiOkResponse({ type: OpenAiModelView })
  async model(@CurrentApiKey() key: ApiKeyPrincipal, @Param('model') id: string): Promise<OpenAiModelView> {
    const found = (await this.models(key)).data.find((model) => model.id === id);
    if (!found) throw new ModelNotFoundError([]);
    return found;
  }

  /** Any other `/v1` path: a 404 in OpenAI's envelope (after the key), not the router's HTML page. */
  @All('{*path}')
  @ApiExcludeEndpoint()
  unknown(): never {
    throw new NotFoundError();
  }
}
