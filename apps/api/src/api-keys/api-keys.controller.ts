import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../auth/auth.decorators.js';
import { NotFoundError } from '../common/errors.js';
import { ApiKeyUsageView, ApiKeyView, CreateApiKeyDto, CreatedApiKeyView, UpdateApiKeyDto } from './api-keys.dto.js';
import { ApiKeysService } from './api-keys.service.js';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError() });

/** One's own API keys; changing, reading the usage of and revoking any key one may manage (one's own, an organization's as its owner or admin). */
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
    return this.keys.create(user, body);
  }

  /** Its name, budget, models, turns a minute, turns in flight, and whether its turns are kept: on every instance within a second. */
  @Patch(':keyId')
  @ApiOkResponse({ type: ApiKeyView })
  update(@CurrentUser() user: AuthUser, @Param('keyId', uuid) keyId: string, @Body() body: UpdateApiKeyDto): Promise<ApiKeyView> {
    return this.keys.update(user.id, keyId, body);
  }

  /** Its charges a day over the last 30 days, and its use of this period. */
  @Get(':keyId/usage')
  @ApiOkResponse({ type: ApiKeyUsageView })
  usage(@CurrentUser() user: AuthUser, @Param('keyId', uuid) keyId: string): Promise<ApiKeyUsageView> {
    return this.keys.usage(user.id, keyId);
  }

  /** Revokes a key: refused on this instance at once, on every other within a second. */
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
    return this.keys.create(user, body, organizationId);
  }
}
