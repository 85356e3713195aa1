import { Inject, Injectable, Logger } from '@nestjs/common';
import { periodOf } from '@consult-on/quota-policy';
import { CLOCK, type Clock } from '../common/clock.js';
import type { AuthUser } from '../auth/auth.decorators.js';
import { EmailNotVerifiedError, InvalidApiKeyError, NotFoundError, TooManyApiKeysError, ValidationFailedError } from '../common/errors.js';
import { sameHash, secretHash } from '../common/secret-token.js';
import { collapseWhitespace } from '../common/text.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ModelCatalog } from '../llm/model-catalog.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { inPeriod, memberRoom } from '../quota/members/member-limit.js';
import { ApiKeyCache } from './api-key-cache.js';
import { keyRefusal, newApiKey, prefixOf } from './api-key-rules.js';
import type { ApiKeySettingsDto, ApiKeyUsageView, ApiKeyView, CreateApiKeyDto, CreatedApiKeyView } from './api-keys.dto.js';
import { ApiKeysRepository, type ApiKeySettings, type ListedApiKey, type PresentedApiKey } from './api-keys.repository.js';

const DAY_MS = 86_400_000;
/** Key ids whose last use an instance remembers writing (past that, it forgets them all and writes again). */
const TOUCHED_SIZE = 10_000;
/** A key's last use is written at most this often (per instance). */
const TOUCH_EVERY_MS = 60_000;
/** Keys in use an owner (a person, an organization) may have at once. */
export const MAX_KEYS_IN_USE = 50;
/** Days of a key's usage chart. */
const USAGE_DAYS = 30;

/** Who a request made with an API key acts for, and what the key allows. */
export interface ApiKeyPrincipal {
  keyId: string;
  /** The key's creator: a personal key's tokens are theirs; an organization's key counts against their limit in it. */
  userId: string;
  organizationId: string | null;
  /** The token account the key spends: the organization's pool, or the creator's own. */
  accountId: string;
  /** The models it may use (within the plan's); null: all the plan's. */
  models: string[] | null;
  turnsPerMinute: number | null;
  /** Whether it has limits of its own that its turns are reserved against (budget, turns in flight). */
  limited: boolean;
  keepConversations: boolean;
}

/**
 * API keys: personal keys, and an organization's keys made by its owners and admins. A key is
 * returned once; only its SHA-256 is kept, and a request's key is found by its prefix and compared
 * in constant time. Each instance keeps what it read of a key for at most a second (ApiKeyCache: no
 * database round trip per request): revoked or changed on any instance, a key is refused or
 * changed on every instance within a second — at once on the one where it happened.
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  /** By key id: when this instance last wrote the key's last use. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly repository: ApiKeysRepository,
    private readonly organizations: OrganizationsService,
    private readonly catalog: ModelCatalog,
    private readonly cache: ApiKeyCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A personal key, or (`organizationId`) one for the organization's pool: its owners and admins only. */
  async create(user: Pick<AuthUser, 'id' | 'verificationPending'>, body: CreateApiKeyDto, organizationId: string | null = null): Promise<CreatedApiKeyView> {
    // A key spends without the web's checks: only an account whose address is verified makes one.
    if (user.verificationPending) throw new EmailNotVerifiedError();
    const userId = user.id;
    if (organizationId) await this.organizations.assertManager(userId, organizationId);
    const now = this.clock.now();
    // A bound on what one owner keeps (each key is a row, a cache entry, a counter): revoke one to make another.
    if ((await this.repository.countInUse(this.repository.db, organizationId ? { organizationId } : { userId }, now)) >= MAX_KEYS_IN_USE) throw new TooManyApiKeysError(MAX_KEYS_IN_USE);
    const { key, prefix } = newApiKey();
    const row = await this.repository.insert(this.repository.db, {
      userId,
      organizationId,
      prefix,
      secretHash: secretHash(key),
      createdAt: now,
      expiresAt: body.expiresInDays ? new Date(now.getTime() + body.expiresInDays * DAY_MS) : null,
      ...this.settingsOf(body),
      name: collapseWhitespace(body.name),
    });
    this.logger.log(`API key ${row.prefix} made by ${userId}${organizationId ? ` for organization ${organizationId}` : ''}`);
    return { ...(await this.view(row.id)), key };
  }

  async list(userId: string, organizationId: string | null = null): Promise<ApiKeyView[]> {
    if (organizationId) await this.organizations.assertManager(userId, organizationId);
    return (await this.repository.list(this.repository.db, organizationId ? { organizationId } : { userId })).map((row) => this.viewOf(row));
  }

  /** Changes a key's name, limits, models and whether its turns are kept: by whoever may revoke it. */
  async update(userId: string, keyId: string, body: ApiKeySettingsDto & { name?: string }): Promise<ApiKeyView> {
    const key = await this.managed(userId, keyId);
    const settings = this.settingsOf(body);
    if (body.name !== undefined) settings.name = collapseWhitespace(body.name);
    await this.repository.updateSettings(this.repository.db, key.id, settings);
    this.cache.forget(key.prefix);
    this.logger.log(`API key ${key.prefix} changed by ${userId}: ${Object.keys(settings).join(', ')}`);
    return this.view(key.id);
  }

  /** Revokes a key at once: one's own personal key, or an organization's key by its owners and admins (404 to anyone else). */
  async revoke(userId: string, keyId: string): Promise<ApiKeyView> {
    const key = await this.managed(userId, keyId);
    await this.repository.revoke(this.repository.db, key.id, this.clock.now());
    this.cache.forget(key.prefix);
    this.logger.log(`API key ${key.prefix} revoked by ${userId}`);
    return this.view(key.id);
  }

  /** A key's charges a day over the last 30 days (in the quota's time zone), with its use of this period. */
  async usage(userId: string, keyId: string): Promise<ApiKeyUsageView> {
    const key = await this.managed(userId, keyId);
    const now = this.clock.now();
    const timeZone = this.config.quota.timeZone;
    const recent = lastDays(now, USAGE_DAYS, timeZone);
    // A day more than shown at most: the days outside are left out by their key below.
    const found = await this.repository.usageByDay(this.repository.db, key.id, new Date(now.getTime() - USAGE_DAYS * DAY_MS), timeZone);
    const byDay = new Map(found.map((day) => [day.day, day]));
    const days = recent.map((day) => byDay.get(day) ?? { day, tokens: 0, turns: 0 });
    return { keyId: key.id, days, ...this.viewOf({ ...key, creatorEmail: '' }).usage };
  }

  /** The principal of a presented key; InvalidApiKeyError for anything else, whatever the reason. */
  async authenticate(presented: string): Promise<ApiKeyPrincipal> {
    const prefix = prefixOf(presented);
    if (!prefix) throw new InvalidApiKeyError();
    const key = await this.presented(prefix);
    if (!key || !sameHash(key.secretHash, secretHash(presented))) throw new InvalidApiKeyError();
    const now = this.clock.now();
    const refusal = keyRefusal(key, now);
    if (refusal) {
      this.logger.debug?.(`API key ${key.prefix} refused: ${refusal}`);
      throw new InvalidApiKeyError();
    }
    this.touch(key.id, now);
    return {
      keyId: key.id,
      userId: key.userId,
      organizationId: key.organizationId,
      accountId: key.organizationId ?? key.userId,
      models: key.models,
      turnsPerMinute: key.turnsPerMinute,
      limited: key.monthlyBudgetTokens !== null || key.concurrentTurns !== null,
      keepConversations: key.keepConversations,
    };
  }

  /** The key with this prefix, from this instance's memory when read less than a second ago. */
  private async presented(prefix: string): Promise<PresentedApiKey | null> {
    const cached = this.cache.get(prefix);
    if (cached) return cached;
    const read = this.cache.startRead();
    const key = await this.repository.findByPrefix(this.repository.db, prefix);
    if (key) this.cache.set(prefix, key, read);
    return key;
  }

  /** Writes the key's last use, at most once a minute per instance, without holding up the request. */
  private touch(keyId: string, now: Date): void {
    const last = this.touched.get(keyId);
    if (last !== undefined && now.getTime() - last < TOUCH_EVERY_MS && now.getTime() >= last) return;
    if (this.touched.size >= TOUCHED_SIZE) this.touched.clear();
    this.touched.set(keyId, now.getTime());
    this.repository.touch(this.repository.db, keyId, now).catch((error: unknown) => {
      this.touched.delete(keyId);
      this.logger.warn({ message: "could not write an API key's last use", keyId, error: String(error) });
    });
  }

  /** A key the user may manage (their own personal key, or an organization's as its owner or admin); 404 otherwise. */
  private async managed(userId: string, keyId: string) {
    const key = await this.repository.find(this.repository.db, keyId);
    if (!key) throw new NotFoundError();
    if (key.organizationId) await this.organizations.assertManager(userId, key.organizationId);
    else if (key.userId !== userId) throw new NotFoundError();
    return key;
  }

  /** The settings a request gives (those it leaves out are left as they are); models must be in the catalog. */
  private settingsOf(body: ApiKeySettingsDto): ApiKeySettings {
    const settings: ApiKeySettings = {};
    if (body.monthlyBudgetTokens !== undefined) settings.monthlyBudgetTokens = body.monthlyBudgetTokens;
    if (body.turnsPerMinute !== undefined) settings.turnsPerMinute = body.turnsPerMinute;
    if (body.concurrentTurns !== undefined) settings.concurrentTurns = body.concurrentTurns;
    if (body.keepConversations !== undefined) settings.keepConversations = body.keepConversations;
    if (body.models !== undefined) {
      const unknown = (body.models ?? []).filter((id) => !this.catalog.find(id));
      if (unknown.length > 0) {
        throw new ValidationFailedError([{ field: 'models', problems: [`unknown model; each one of ${this.catalog.list().map((m) => m.id).join(', ')}`] }]);
      }
      // An empty list would allow nothing: it means what null means, all the plan's.
      settings.models = body.models === null || body.models.length === 0 ? null : [...new Set(body.models)];
    }
    return settings;
  }

  private async view(id: string): Promise<ApiKeyView> {
    return this.viewOf((await this.repository.listed(this.repository.db, id))!);
  }

  private viewOf(row: ListedApiKey): ApiKeyView {
    // What the key used counts in the current period only (its columns keep the last period it was used in).
    const usage = inPeriod(
      { monthlyLimitTokens: row.monthlyBudgetTokens, periodKey: row.periodKey, heldTokens: row.heldTokens, consumedTokens: row.consumedTokens, openHolds: row.openHolds },
      periodOf(this.clock.now(), this.config.quota.timeZone).key,
    );
    const room = memberRoom(usage);
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
      monthlyBudgetTokens: row.monthlyBudgetTokens,
      models: row.models,
      turnsPerMinute: row.turnsPerMinute,
      concurrentTurns: row.concurrentTurns,
      keepConversations: row.keepConversations,
      usage: {
        periodKey: usage.periodKey!,
        consumedTokens: usage.consumedTokens,
        heldTokens: usage.heldTokens,
        remainingTokens: Number.isFinite(room) ? room : null,
      },
    };
  }
}

/** The last `count` days up to `now`'s, oldest first, as YYYY-MM-DD in `timeZone` (24-hour steps: the zones used have no daylight saving). */
function lastDays(now: Date, count: number, timeZone: string): string[] {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const days: string[] = [];
  for (let back = count - 1; back >= 0; back -= 1) days.push(format.format(new Date(now.getTime() - back * DAY_MS)));
  return [...new Set(days)];
}
