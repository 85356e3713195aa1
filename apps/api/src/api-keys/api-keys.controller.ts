import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../auth/auth.decorators.js';
import { NotFoundError } from '../common/errors.js';
import { ApiKeyView, CreateApiKeyDto, CreatedApiKeyView } from './api-keys.dto.js';
import { ApiKeysService } from './api-keys.service.js';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError() });

/** One's own API keys; revoking any key one may manage (one's own, an organization's as its owner or admin). */
@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @ApiOkResponse({ type: [ApiKeyView] })
  list(@CurrentUser() user: AuthUser): Promise<ApiKeyView[]> {
    return this.keys.list(user.id);
  }

  /** A personal key: the response holds the key itself, this once. */
  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    return this.keys.create(user.id, body);
  }

  /** Revokes a key at once, on every instance (it is read from the database on each request). */
  @Delete(':keyId')
  @ApiOkResponse({ type: ApiKeyView })
  revoke(@CurrentUser() user: AuthUser, @Param('keyId', uuid) keyId: string): Promise<ApiKeyView> {
    return this.keys.revoke(user.id, keyId);
  }
}

/** An organization's API keys, which spend its pool: for its owners and admins (403 to members, 404 to others). */
@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('organizations/:organizationId/api-keys')
export class OrganizationApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @ApiOkResponse({ type: [ApiKeyView] })
  list(@CurrentUser() user: AuthUser, @Param('organizationId', uuid) organizationId: string): Promise<ApiKeyView[]> {
    return this.keys.list(user.id, organizationId);
  }

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  create(@CurrentUser() user: AuthUser, @Param('organizationId', uuid) organizationId: string, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    return this.keys.create(user.id, body, organizationId);
  }
}
