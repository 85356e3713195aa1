import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Locale, UsageLevel } from '@consult-on/quota-policy';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { NotFoundError } from '../common/errors.js';
import type { Transaction } from '../database/database.js';
import type { NotificationKind } from '../database/schema.js';
import { LedgerWriter } from '../quota/ledger/ledger-writer.js';
import { LevelChangeHub, type LevelChange, type LevelChangeListener, type MemberLimitReached } from '../quota/ledger/level-change.js';
import { purchaseUrl } from '../quota/purchase-url.js';
import type { NotificationPageView, NotificationView } from './notifications.dto.js';
import { renderNotification, type NotificationData } from './notification-messages.js';
import { NotificationsRepository, type NotificationRow } from './notifications.repository.js';

const RANK: Record<UsageLevel, number> = { NORMAL: 0, NOTICE: 1, WARNING: 2, CRITICAL: 3, BLOCKED: 4 };
const KIND_OF_LEVEL: Partial<Record<UsageLevel, NotificationKind>> = {
  WARNING: 'USAGE_WARNING',
  CRITICAL: 'USAGE_CRITICAL',
  BLOCKED: 'USAGE_BLOCKED',
};
const POOL_KIND_OF_LEVEL: Partial<Record<UsageLevel, NotificationKind>> = {
  WARNING: 'ORGANIZATION_WARNING',
  CRITICAL: 'ORGANIZATION_CRITICAL',
  BLOCKED: 'ORGANIZATION_BLOCKED',
};

/**
 * Threshold notifications (SPEC section 5). Written in the transaction of the ledger change
 * that crossed the threshold, or by the hourly sweep; either way through one throttled insert.
 */
@Injectable()
export class NotificationsService implements LevelChangeListener, OnModuleInit {
  constructor(
    private readonly repository: NotificationsRepository,
    private readonly levels: LevelChangeHub,
    private readonly ledger: LedgerWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.levels.register(this);
  }

  private get webhooks(): boolean {
    return this.config.notifications.webhookUrl !== null;
  }

  async onLevelChange(tx: Transaction, change: LevelChange): Promise<void> {
    // An organization's pool is nobody's own account: its owners and admins hear of it (see poolLevelChange).
    if (change.organizationId) return this.onPoolLevelChange(tx, change);
    const { after } = change;
    await this.repository.insertUsageEvent(tx, change.userId, { ...after, periodKey: change.periodKey });
    const kind = this.kindOf(change, KIND_OF_LEVEL, 'USAGE_RECOVERED');
    if (!kind) return;
    await this.repository.notifyOne(
      tx,
      { userId: change.userId, kind, periodKey: change.periodKey, data: { level: after.level, usagePercent: after.usagePercent, remainingTokens: after.remainingTokens }, source: this.sourceOf(change) },
      change.now,
      this.webhooks,
    );
  }

  /** An organization's pool crossed a threshold (or came back under WARNING): its owners and admins are told, each once per 24 hours and level. */
  private async onPoolLevelChange(tx: Transaction, change: LevelChange): Promise<void> {
    const kind = this.kindOf(change, POOL_KIND_OF_LEVEL, 'ORGANIZATION_RECOVERED');
    if (!kind) return;
    const { level, usagePercent, remainingTokens } = change.after;
    await this.repository.notifyManagers(
      tx,
      { organizationId: change.organizationId!, kind, periodKey: change.periodKey, data: { level, usagePercent, remainingTokens }, source: this.sourceOf(change) },
      change.now,
      this.webhooks,
    );
  }

  /** A member reached 90 % or 100 % of their monthly limit in an organization's pool: the member is told. */
  async onMemberLimit(tx: Transaction, reached: MemberLimitReached): Promise<void> {
    await this.repository.notifyMember(
      tx,
      {
        userId: reached.userId,
        organizationId: reached.organizationId,
        kind: reached.threshold === 100 ? 'MEMBER_LIMIT_REACHED' : 'MEMBER_LIMIT_WARNING',
        periodKey: reached.periodKey,
        data: { level: reached.threshold === 100 ? 'BLOCKED' : 'WARNING', usagePercent: reached.usagePercent, remainingTokens: reached.remainingTokens },
        source: 'turn',
      },
      reached.now,
      this.webhooks,
    );
  }

  /**
   * A paid plan ends at the next reset (`endsAt`): its subscription cancelled, or its renewal
   * declined. Told once a day at most, like every notification.
   */
  async notifyPlan(notice: { userId: string; kind: 'PLAN_ENDING' | 'PLAN_RENEWAL_FAILED'; planName: string; planNameEn: string; endsAt: Date; now: Date }): Promise<void> {
    // The reset's local day (YYYY-MM-DD, as en-CA writes it) in the service's time zone.
    const freeFrom = new Intl.DateTimeFormat('en-CA', { timeZone: this.config.quota.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(notice.endsAt);
    await this.repository.notifyOne(
      this.repository.db,
      {
        userId: notice.userId,
        kind: notice.kind,
        periodKey: this.ledger.currentPeriod(notice.now).key,
        // No usage figures: a plan's notice is about the plan, not the balance.
        data: { level: 'NORMAL', usagePercent: 0, remainingTokens: 0, plan: { nameKo: notice.planName, nameEn: notice.planNameEn, freeFrom } },
        source: 'plan',
      },
      notice.now,
      this.webhooks,
    );
  }

  /** The notification a level change calls for: a rise to WARNING or above, or a fall back under WARNING. */
  private kindOf(change: LevelChange, rising: Partial<Record<UsageLevel, NotificationKind>>, recovered: NotificationKind): NotificationKind | undefined {
    const { after, before } = change;
    if (RANK[after.level] > RANK[before.level]) return rising[after.level];
    if (RANK[before.level] >= RANK.WARNING && RANK[after.level] < RANK.WARNING) return recovered;
    return undefined;
  }

  private sourceOf(change: LevelChange): 'turn' | 'reset' | 'credit' {
    return change.causes.includes('CONSUMPTION') || change.causes.includes('TEST_USAGE') ? 'turn' : change.causes.length === 0 ? 'reset' : 'credit';
  }

  /** Every account at or above the warning threshold gets what it is missing; returns how many were created. */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    const created = await this.repository.notifyOverThreshold(this.repository.db, this.ledger.currentPeriod(now).key, this.config.quota, now, this.webhooks);
    await this.repository.pruneEvents(24);
    return created;
  }

  async list(userId: string, page: { limit?: number; offset?: number }, locale: Locale): Promise<NotificationPageView> {
    const { items, total, unread } = await this.repository.list(userId, { limit: page.limit ?? 20, offset: page.offset ?? 0 });
    return { items: items.map((row) => this.toView(row, locale)), total, unreadCount: unread };
  }

  async markRead(userId: string, id: string, locale: Locale): Promise<NotificationView> {
    const row = await this.repository.markRead(userId, id, this.clock.now());
    if (!row) throw new NotFoundError();
    return this.toView(row, locale);
  }

  async markAllRead(userId: string): Promise<number> {
    return this.repository.markAllRead(userId, this.clock.now());
  }

  toView(row: NotificationRow, locale: Locale): NotificationView {
    const data = row.data as NotificationData;
    return {
      id: row.id,
      kind: row.kind,
      level: data.level,
      ...renderNotification(row.kind, data, locale),
      usagePercent: Number(data.usagePercent),
      remainingTokens: Number(data.remainingTokens),
      // About an organization: its page (its pool's card, the reader's limit); else where to buy tokens.
      link: row.organizationId ? `/organizations/detail/?id=${row.organizationId}` : row.kind.startsWith('PLAN_') ? '/plans/' : purchaseUrl(this.config),
      organizationId: row.organizationId,
      organizationName: data.organizationName ?? null,
      planName: data.plan ? (locale === 'ko' ? data.plan.nameKo : data.plan.nameEn) : null,
      planFreeFrom: data.plan?.freeFrom ?? null,
      read: row.readAt !== null,
      readAt: row.readAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
    };
  }
}
