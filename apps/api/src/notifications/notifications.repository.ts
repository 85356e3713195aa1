import { Inject, Injectable } from '@nestjs/common';
import { and, count, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { DATABASE, rowsOf, type DatabaseHandle, type Executor } from '../database/database.js';
import { usageLevelSql, type LevelThresholds } from '../database/usage-level.js';
import { notifications, userEvents, type NotificationKind } from '../database/schema.js';
import type { NotificationData } from './notification-messages.js';

export type NotificationRow = typeof notifications.$inferSelect;
export type UserEventRow = typeof userEvents.$inferSelect;

@Injectable()
export class NotificationsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  /**
   * Creates the notifications of `candidates` (rows of user_id, kind, period_key, data,
   * organization_id) that the throttle lets through: at most one per user, kind and scope (their
   * own account, or the organization) within 24 hours or per period. One statement, so it is the
   * same for one user (a turn), the owners and admins of a pool, and every user (the sweep).
   */
  private async notify(executor: Executor, candidates: SQL, source: string, now: Date, webhooks: boolean): Promise<number> {
    // Only the count comes back: memory stays flat however many users the sweep notifies.
    const [row] = rowsOf<{ created: number }>(
      await executor.execute(sql`
        with candidates as (${candidates}),
        claimed as (
          insert into notification_throttle (user_id, kind, scope, period_key, last_sent_at)
          select user_id, kind, coalesce(organization_id::text, ''), period_key, ${now.toISOString()}::timestamptz from candidates
          on conflict (user_id, kind, scope) do update
            set last_sent_at = excluded.last_sent_at, period_key = excluded.period_key
            where notification_throttle.last_sent_at <= excluded.last_sent_at - interval '24 hours'
               or notification_throttle.period_key <> excluded.period_key
          returning user_id, kind, scope
        ),
        created as (
          insert into notifications (user_id, kind, period_key, organization_id, data, source, created_at)
          select c.user_id, c.kind, c.period_key, c.organization_id, c.data, ${source}, ${now.toISOString()}::timestamptz
          from candidates c join claimed on claimed.user_id = c.user_id and claimed.kind = c.kind and claimed.scope = coalesce(c.organization_id::text, '')
          returning id, user_id
        ),
        events as (
          insert into user_events (user_id, type, payload)
          select user_id, 'notification', jsonb_build_object('id', id) from created
        ),
        deliveries as (
          insert into webhook_deliveries (notification_id, next_attempt_at)
          select id, ${now.toISOString()}::timestamptz from created where ${webhooks}
        )
        select count(*)::int as created from created`),
    );
    return Number(row?.created ?? 0);
  }

  notifyOne(
    executor: Executor,
    notification: { userId: string; kind: NotificationKind; periodKey: string; data: NotificationData; source: string; organizationId?: string | null },
    now: Date,
    webhooks: boolean,
  ) {
    const candidate = sql`select ${notification.userId}::uuid as user_id, ${notification.kind}::text as kind,
      ${notification.periodKey}::text as period_key, ${JSON.stringify(notification.data)}::jsonb as data,
      ${notification.organizationId ?? null}::uuid as organization_id`;
    return this.notify(executor, candidate, notification.source, now, webhooks);
  }

  /** A member's own limit in an organization's pool, to the member, with the organization's name. */
  notifyMember(
    executor: Executor,
    notification: { organizationId: string; userId: string; kind: NotificationKind; periodKey: string; data: Omit<NotificationData, 'organizationName'>; source: string },
    now: Date,
    webhooks: boolean,
  ) {
    const candidates = sql`
      select ${notification.userId}::uuid as user_id, ${notification.kind}::text as kind, ${notification.periodKey}::text as period_key,
             ${JSON.stringify(notification.data)}::jsonb || jsonb_build_object('organizationName', o.name) as data, o.id as organization_id
      from organizations o where o.id = ${notification.organizationId}`;
    return this.notify(executor, candidates, notification.source, now, webhooks);
  }

  /** The same notification of an organization's pool to each of its owners and admins (one statement, in the change's transaction). */
  notifyManagers(
    executor: Executor,
    notification: { organizationId: string; kind: NotificationKind; periodKey: string; data: Omit<NotificationData, 'organizationName'>; source: string },
    now: Date,
    webhooks: boolean,
  ) {
    const candidates = sql`
      select m.user_id, ${notification.kind}::text as kind, ${notification.periodKey}::text as period_key,
             ${JSON.stringify(notification.data)}::jsonb || jsonb_build_object('organizationName', o.name) as data,
             o.id as organization_id
      from organization_members m join organizations o on o.id = m.organization_id
      where m.organization_id = ${notification.organizationId} and m.role in ('OWNER', 'ADMIN')
      order by m.user_id`;
    return this.notify(executor, candidates, notification.source, now, webhooks);
  }

  /** The hourly sweep: every account of the period at ≥ the warning threshold, set-based. */
  notifyOverThreshold(executor: Executor, periodKey: string, thresholds: LevelThresholds, now: Date, webhooks: boolean) {
    const level = usageLevelSql(sql`period_consumed_tokens`, sql`period_capacity_tokens`, thresholds);
    const candidates = sql`
      select user_id, 'USAGE_' || level as kind, period_key,
        jsonb_build_object(
          'level', level,
          'usagePercent', floor((period_consumed_tokens * 10000)::numeric / period_capacity_tokens) / 100,
          'remainingTokens', period_capacity_tokens - period_consumed_tokens) as data,
        null::uuid as organization_id
      from (select *, ${level} as level from token_accounts where period_key = ${periodKey} and period_capacity_tokens > 0 and organization_id is null) accounts
      where level in ('WARNING', 'CRITICAL', 'BLOCKED')
      order by user_id`; // one lock order for every sweep: two sweeps at once wait, never deadlock
    return this.notify(executor, candidates, 'sweep', now, webhooks);
  }

  async insertUsageEvent(executor: Executor, userId: string, payload: Record<string, unknown>): Promise<void> {
    await executor.insert(userEvents).values({ userId, type: 'usage', payload });
  }

  async list(userId: string, page: { limit: number; offset: number }) {
    const items = await this.db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, userId))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(page.limit)
      .offset(page.offset);
    const [totals] = await this.db
      .select({ total: count(), unread: sql<number>`count(*) filter (where ${notifications.readAt} is null)::int` })
      .from(notifications)
      .where(eq(notifications.userId, userId));
    return { items, total: Number(totals?.total ?? 0), unread: Number(totals?.unread ?? 0) };
  }

  async findOwn(userId: string, id: string): Promise<NotificationRow | null> {
    const [row] = await this.db.select().from(notifications).where(and(eq(notifications.id, id), eq(notifications.userId, userId)));
    return row ?? null;
  }

  async findMany(ids: string[]): Promise<NotificationRow[]> {
    if (ids.length === 0) return [];
    return this.db.select().from(notifications).where(inArray(notifications.id, ids));
  }

  async markRead(userId: string, id: string, now: Date): Promise<NotificationRow | null> {
    const [row] = await this.db
      .update(notifications)
      .set({ readAt: sql`coalesce(${notifications.readAt}, ${now.toISOString()}::timestamptz)` })
      .where(and(eq(notifications.id, id), eq(notifications.userId, userId)))
      .returning();
    return row ?? null;
  }

  async markAllRead(userId: string, now: Date): Promise<number> {
    const rows = await this.db
      .update(notifications)
      .set({ readAt: now })
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
      .returning({ id: notifications.id });
    return rows.length;
  }

  /** Events of the last `seconds` for these users; re-read each poll so that late commits are not missed. */
  async recentEvents(userIds: string[], seconds: number): Promise<UserEventRow[]> {
    if (userIds.length === 0) return [];
    return this.db
      .select()
      .from(userEvents)
      .where(and(inArray(userEvents.userId, userIds), sql`${userEvents.createdAt} >= now() - make_interval(secs => ${seconds})`))
      .orderBy(userEvents.seq);
  }

  async eventsAfter(userId: string, seq: number, limit: number): Promise<UserEventRow[]> {
    return this.db
      .select()
      .from(userEvents)
      .where(and(eq(userEvents.userId, userId), sql`${userEvents.seq} > ${seq}`))
      .orderBy(userEvents.seq)
      .limit(limit);
  }

  async pruneEvents(olderThanHours: number): Promise<void> {
    await this.db.execute(sql`delete from user_events where created_at < now() - make_interval(hours => ${olderThanHours})`);
  }
}
