import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { InvalidApiKeyError, NotFoundError } from '../common/errors.js';
import { sameHash, secretHash } from '../common/secret-token.js';
import { collapseWhitespace } from '../common/text.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { keyRefusal, newApiKey, prefixOf } from './api-key-rules.js';
import type { ApiKeyView, CreateApiKeyDto, CreatedApiKeyView } from './api-keys.dto.js';
import { ApiKeysRepository, type ApiKeyRow } from './api-keys.repository.js';

const DAY_MS = 86_400_000;

/** Who a request made with an API key acts for: the key's creator, and the organization whose pool it spends (if any). */
export interface ApiKeyPrincipal {
  keyId: string;
  userId: string;
  organizationId: string | null;
  /** The token account the key spends: the organization's pool, or the creator's own. */
  accountId: string;
}

/**
 * API keys: personal keys, and an organization's keys made by its owners and admins. A key is
 * returned once; only its SHA-256 is kept, and a request's key is found by its prefix and compared
 * in constant time. Revoked, it fails on the next request (read from the database each time).
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    private readonly repository: ApiKeysRepository,
    private readonly organizations: OrganizationsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A personal key, or (`organizationId`) one for the organization's pool: its owners and admins only. */
  async create(userId: string, body: CreateApiKeyDto, organizationId: string | null = null): Promise<CreatedApiKeyView> {
    if (organizationId) await this.organizations.assertManager(userId, organizationId);
    const now = this.clock.now();
    const { key, prefix } = newApiKey();
    const row = await this.repository.insert(this.repository.db, {
      userId,
      organizationId,
      name: collapseWhitespace(body.name),
      prefix,
      secretHash: secretHash(key),
      createdAt: now,
      expiresAt: body.expiresInDays ? new Date(now.getTime() + body.expiresInDays * DAY_MS) : null,
    });
    const listed = await this.repository.listed(this.repository.db, row.id);
    this.logger.log(`API key ${row.prefix} made by ${userId}${organizationId ? ` for organization ${organizationId}` : ''}`);
    return { ...apiKeyView(listed!), key };
  }

  async list(userId: string, organizationId: string | null = null): Promise<ApiKeyView[]> {
    if (organizationId) await this.organizations.assertManager(userId, organizationId);
    return (await this.repository.list(this.repository.db, organizationId ? { organizationId } : { userId })).map(apiKeyView);
  }

  /** Revokes a key at once: one's own personal key, or an organization's key by its owners and admins (404 to anyone else). */
  async revoke(userId: string, keyId: string): Promise<ApiKeyView> {
    const key = await this.repository.find(this.repository.db, keyId);
    if (!key) throw new NotFoundError();
    if (key.organizationId) await this.organizations.assertManager(userId, key.organizationId);
    else if (key.userId !== userId) throw new NotFoundError();
    await this.repository.revoke(this.repository.db, key.id, this.clock.now());
    this.logger.log(`API key ${key.prefix} revoked by ${userId}`);
    return apiKeyView((await this.repository.listed(this.repository.db, key.id))!);
  }

  /** The principal of a presented key; InvalidApiKeyError for anything else, whatever the reason. */
  async authenticate(presented: string): Promise<ApiKeyPrincipal> {
    const prefix = prefixOf(presented);
    if (!prefix) throw new InvalidApiKeyError();
    const key = await this.repository.findByPrefix(this.repository.db, prefix);
    if (!key || !sameHash(key.secretHash, secretHash(presented))) throw new InvalidApiKeyError();
    const now = this.clock.now();
    const refusal = keyRefusal(key, now);
    if (refusal) {
      this.logger.debug?.(`API key ${key.prefix} refused: ${refusal}`);
      throw new InvalidApiKeyError();
    }
    await this.repository.touch(this.repository.db, key.id, now);
    return { keyId: key.id, userId: key.userId, organizationId: key.organizationId, accountId: key.organizationId ?? key.userId };
  }
}

function apiKeyView(row: ApiKeyRow & { creatorEmail: string }): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    organizationId: row.organizationId,
    createdByEmail: row.creatorEmail,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
