import { Inject, Injectable } from '@nestjs/common';
import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import { containsPattern } from '../common/text.js';
import { DATABASE, rowsOf, type DatabaseHandle, type Executor } from '../database/database.js';
import { apiKeys, organizationInvitations, organizationMembers, organizations, users, type OrganizationRole } from '../database/schema.js';
import type { MemberUsage } from '../quota/members/member-limit.js';

export type OrganizationRow = typeof organizations.$inferSelect;
export interface AdminOrganizationRow {
  id: string;
  name: string;
  createdAt: Date;
  planId: string;
  usedTokens: number;
  capacityTokens: number;
  members: number;
}
export type InvitationRow = typeof organizationInvitations.$inferSelect;
export interface MemberRow extends MemberUsage {
  userId: string;
  email: string;
  role: OrganizationRole;
  joinedAt: Date;
}

/** Organizations, their members and invitations. */
@Injectable()
export class OrganizationsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  /** Revokes the organization's API keys a person made: they are no longer one of its owners or admins. */
  async revokeKeysOf(executor: Executor, organizationId: string, userId: string, now: Date): Promise<void> {
    // Locked in the key's id order first, as a pool's batch writes them: no deadlock with a batch of the pool.
    await executor
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.organizationId, organizationId), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      .orderBy(apiKeys.id)
      .for('update');
    await executor
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.organizationId, organizationId), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)));
  }

  async insert(executor: Executor, name: string, ownerId: string, now: Date): Promise<OrganizationRow> {
    const [row] = await executor.insert(organizations).values({ name, createdBy: ownerId, createdAt: now, updatedAt: now }).returning();
    await executor.insert(organizationMembers).values({ organizationId: row!.id, userId: ownerId, role: 'OWNER', createdAt: now });
    return row!;
  }

  /** The organizations a user belongs to, with their role, oldest first. */
  ofUser(userId: string): Promise<(OrganizationRow & { role: OrganizationRole; members: number })[]> {
    return this.db
      .select({
        id: organizations.id,
        name: organizations.name,
        createdBy: organizations.createdBy,
        createdAt: organizations.createdAt,
        updatedAt: organizations.updatedAt,
        role: organizationMembers.role,
        members: sql<number>`(select count(*)::int from organization_members m where m.organization_id = ${organizations.id})`,
      })
      .from(organizationMembers)
      .innerJoin(organizations, eq(organizations.id, organizationMembers.organizationId))
      .where(eq(organizationMembers.userId, userId))
      .orderBy(asc(organizations.createdAt), asc(organizations.id));
  }

  async find(executor: Executor, organizationId: string): Promise<OrganizationRow | null> {
    const [row] = await executor.select().from(organizations).where(eq(organizations.id, organizationId));
    return row ?? null;
  }

  /**
   * Locks the organization row: membership changes of one organization are serial (the last owner
   * stays). NO KEY UPDATE: rows that point at the organization (a conversation, a notification,
   * written under the pool's lock) take KEY SHARE on it, which this does not block — a lock that
   * did would deadlock with a turn settling while an owner removes a member.
   */
  async lock(executor: Executor, organizationId: string): Promise<OrganizationRow | null> {
    const [row] = await executor.select().from(organizations).where(eq(organizations.id, organizationId)).for('no key update');
    return row ?? null;
  }

  async roleOf(executor: Executor, organizationId: string, userId: string): Promise<OrganizationRole | null> {
    const [row] = await executor
      .select({ role: organizationMembers.role })
      .from(organizationMembers)
      .where(and(eq(organizationMembers.organizationId, organizationId), eq(organizationMembers.userId, userId)));
    return row?.role ?? null;
  }

  members(executor: Executor, organizationId: string): Promise<MemberRow[]> {
    return executor
      .select({
        userId: organizationMembers.userId,
        email: users.email,
        role: organizationMembers.role,
        monthlyLimitTokens: organizationMembers.monthlyLimitTokens,
        periodKey: organizationMembers.periodKey,
        heldTokens: organizationMembers.heldTokens,
        consumedTokens: organizationMembers.consumedTokens,
        openHolds: organizationMembers.openHolds,
        joinedAt: organizationMembers.createdAt,
      })
      .from(organizationMembers)
      .innerJoin(users, eq(users.id, organizationMembers.userId))
      .where(eq(organizationMembers.organizationId, organizationId))
      .orderBy(asc(organizationMembers.createdAt), asc(users.email));
  }

  /**
   * Organizations for the service's admins with their pool's figures in `periodKey` (a pool not
   * touched since it began: nothing used yet), most used first; by part of the name.
   */
  async adminPage(filter: { query?: string; offset: number; limit: number; id?: string }, periodKey: string): Promise<{ rows: AdminOrganizationRow[]; total: number }> {
    const where = filter.id
      ? sql`o.id = ${filter.id}`
      : filter.query
        ? sql`o.name ilike ${containsPattern(filter.query)} escape '\\'`
        : sql`true`;
    const rows = rowsOf<Record<string, string | number | Date | null>>(
      await this.db.execute(sql`
        select o.id, o.name, o.created_at as "createdAt", a.plan_id as "planId",
               case when a.period_key = ${periodKey} then a.period_consumed_tokens else 0 end as "usedTokens",
               a.period_capacity_tokens as "capacityTokens",
               (select count(*) from organization_members m where m.organization_id = o.id) as members,
               count(*) over () as total
        from organizations o join token_accounts a on a.user_id = o.id
        where ${where}
        order by case when a.period_key = ${periodKey} and a.period_capacity_tokens > 0 then a.period_consumed_tokens::numeric / a.period_capacity_tokens else 0 end desc, o.created_at, o.id
        limit ${filter.limit} offset ${filter.offset}`),
    );
    return {
      rows: rows.map((row) => ({
        id: String(row.id),
        name: String(row.name),
        createdAt: new Date(row.createdAt as string | Date),
        planId: String(row.planId),
        usedTokens: Number(row.usedTokens),
        capacityTokens: Number(row.capacityTokens),
        members: Number(row.members),
      })),
      total: Number(rows[0]?.total ?? 0),
    };
  }

  async owners(executor: Executor, organizationId: string): Promise<number> {
    const [row] = await executor
      .select({ owners: count() })
      .from(organizationMembers)
      .where(and(eq(organizationMembers.organizationId, organizationId), eq(organizationMembers.role, 'OWNER')));
    return Number(row?.owners ?? 0);
  }

  async rename(executor: Executor, organizationId: string, name: string, now: Date): Promise<OrganizationRow | null> {
    const [row] = await executor.update(organizations).set({ name, updatedAt: now }).where(eq(organizations.id, organizationId)).returning();
    return row ?? null;
  }

  async setRole(executor: Executor, organizationId: string, userId: string, role: OrganizationRole): Promise<void> {
    await executor
      .update(organizationMembers)
      .set({ role })
      .where(and(eq(organizationMembers.organizationId, organizationId), eq(organizationMembers.userId, userId)));
  }

  async removeMember(executor: Executor, organizationId: string, userId: string): Promise<void> {
    await executor.delete(organizationMembers).where(and(eq(organizationMembers.organizationId, organizationId), eq(organizationMembers.userId, userId)));
  }

  /** Adds a member; false when they already belong. */
  async addMember(executor: Executor, organizationId: string, userId: string, role: OrganizationRole, now: Date): Promise<boolean> {
    const rows = await executor
      .insert(organizationMembers)
      .values({ organizationId, userId, role, createdAt: now })
      .onConflictDoNothing()
      .returning({ userId: organizationMembers.userId });
    return rows.length === 1;
  }

  async insertInvitation(executor: Executor, values: typeof organizationInvitations.$inferInsert): Promise<InvitationRow> {
    const [row] = await executor.insert(organizationInvitations).values(values).returning();
    return row!;
  }

  /** Invitations not yet used, revoked or expired, newest first. */
  openInvitations(executor: Executor, organizationId: string, now: Date): Promise<InvitationRow[]> {
    return executor
      .select()
      .from(organizationInvitations)
      .where(
        and(
          eq(organizationInvitations.organizationId, organizationId),
          isNull(organizationInvitations.acceptedAt),
          isNull(organizationInvitations.revokedAt),
          sql`${organizationInvitations.expiresAt} > ${now.toISOString()}::timestamptz`,
        ),
      )
      .orderBy(sql`${organizationInvitations.createdAt} desc`);
  }

  async lockInvitationByHash(executor: Executor, tokenHash: string): Promise<InvitationRow | null> {
    const [row] = await executor.select().from(organizationInvitations).where(eq(organizationInvitations.tokenHash, tokenHash)).for('update');
    return row ?? null;
  }

  async markAccepted(executor: Executor, invitationId: string, userId: string, now: Date): Promise<void> {
    await executor.update(organizationInvitations).set({ acceptedBy: userId, acceptedAt: now }).where(eq(organizationInvitations.id, invitationId));
  }

  /** Revokes an open invitation of the organization; false when there is none. */
  async revoke(executor: Executor, organizationId: string, invitationId: string, now: Date): Promise<boolean> {
    const rows = await executor
      .update(organizationInvitations)
      .set({ revokedAt: now })
      .where(
        and(
          eq(organizationInvitations.id, invitationId),
          eq(organizationInvitations.organizationId, organizationId),
          isNull(organizationInvitations.acceptedAt),
          isNull(organizationInvitations.revokedAt),
        ),
      )
      .returning({ id: organizationInvitations.id });
    return rows.length === 1;
  }
}
