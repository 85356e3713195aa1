import { All, Controller, Get, UseGuards } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '../common/errors.js';
import { ApiKeyGuard, CurrentApiKey } from '../api-keys/api-key.guard.js';
import type { ApiKeyPrincipal } from '../api-keys/api-keys.service.js';
import { OpenAiModelListView } from '../api-keys/api-keys.dto.js';
import { Public } from '../auth/auth.decorators.js';
import { ChatTurnsService } from './chat-turns.service.js';

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
  constructor(private readonly turns: ChatTurnsService) {}

  /** The models the key's account may use (its plan's). */
  @Get('models')
  @ApiOkResponse({ type: OpenAiModelListView })
  async models(@CurrentApiKey() key: ApiKeyPrincipal): Promise<OpenAiModelListView> {
    const models = await this.turns.models(key.accountId);
    return { object: 'list', data: models.filter((model) => model.allowed).map((model) => ({ id: model.id, object: 'model', created: CATALOG_LOADED, owned_by: 'consult-on' })) };
  }

  /** Any other `/v1` path: a 404 in OpenAI's envelope (after the key), not the router's HTML page. */
  @All('{*path}')
  @ApiExcludeEndpoint()
  unknown(): never {
    throw new NotFoundError();
  }
}
