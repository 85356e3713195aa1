import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, getTableColumns, gt, isNull, ne, sql } from 'drizzle-orm';
import { DATABASE, rowsOf, type DatabaseHandle, type Executor } from '../database/database.js';
import {
  accountTokens,
  apiKeys,
  conversations,
  idempotencyKeys,
  messages,
  notifications,
  notificationThrottle,
  organizationInvitations,
  organizationMembers,
  payments,
  paymentSubscriptions,
  tokenAccounts,
  userEvents,
  users,
} from '../database/schema.js';

export type ExportedConversation = typeof conversations.$inferSelect;
export type ExportedMessage = typeof messages.$inferSelect;
export type ExportedNotification = typeof notifications.$inferSelect;
export type ExportedPayment = typeof payments.$inferSelect;
/** A subscription as exported: without what charges the saved method again (the billing key, the customer key). */
export type ExportedSubscription = Omit<typeof paymentSubscriptions.$inferSelect, 'reference' | 'customerKey'>;

/** An organization the account belongs to, with how many owners and members it has. */
export interface Membership {
  organizationId: string;
  name: string;
  role: string;
  owners: number;
  members: number;
}

/** What an account's owner may take along (export) and what leaves with them (deletion), across the tables that hold it. */
@Injectable()
export class AccountRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  /** The person's token account (their own, not a pool's): plan and balances. */
  async tokenAccount(userId: string) {
    const [row] = await this.db.select().from(tokenAccounts).where(and(eq(tokenAccounts.userId, userId), isNull(tokenAccounts.organizationId)));
    return row ?? null;
  }

  /** A page of the user's conversations (every workspace), by id after `after`. */
  conversationsAfter(userId: string, after: string | null, limit: number): Promise<ExportedConversation[]> {
    return this.db
      .select()
      .from(conversations)
      .where(and(eq(conversations.userId, userId), after ? gt(conversations.id, after) : undefined))
      .orderBy(asc(conversations.id))
      .limit(limit);
  }

  /** A conversation's messages after message `after`, oldest first, a batch at a time. */
  messagesOf(conversationId: string, after: number, limit: number): Promise<ExportedMessage[]> {
    return this.db
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), gt(messages.id, after)))
      .orderBy(asc(messages.id))
      .limit(limit);
  }

  notificationsAfter(userId: string, after: string | null, limit: number): Promise<ExportedNotification[]> {
    return this.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, userId), after ? gt(notifications.id, after) : undefined))
      .orderBy(asc(notifications.id))
      .limit(limit);
  }

  /** Orders the user placed (their own and for organizations), oldest first. */
  paymentsAfter(userId: string, after: string | null, limit: number): Promise<ExportedPayment[]> {
    return this.db
      .select()
      .from(payments)
      .where(and(eq(payments.userId, userId), after ? gt(payments.id, after) : undefined))
      .orderBy(asc(payments.id))
      .limit(limit);
  }

  subscriptions(userId: string): Promise<ExportedSubscription[]> {
    const { reference: _reference, customerKey: _customerKey, ...columns } = getTableColumns(paymentSubscriptions);
    return this.db.select(columns).from(paymentSubscriptions).where(eq(paymentSubscriptions.userId, userId)).orderBy(asc(paymentSubscriptions.createdAt));
  }

  /** Orders of the account still being paid. */
  async pendingOrders(userId: string): Promise<number> {
    const [row] = await this.db
      .select({ count: sql<number>`count(*)::int` })
      .from(payments)
      .where(and(eq(payments.userId, userId), eq(payments.status, 'PENDING')));
    return Number(row?.count ?? 0);
  }

  /** Takes a person out of an organization they alone belonged to (their holds voided first), and stops its open invitations: nobody can join it any more. */
  async leaveAlone(executor: Executor, organizationId: string, userId: string, now: Date): Promise<void> {
    await executor.delete(organizationMembers).where(and(eq(organizationMembers.organizationId, organizationId), eq(organizationMembers.userId, userId)));
    await executor
      .update(organizationInvitations)
      .set({ revokedAt: now })
      .where(and(eq(organizationInvitations.organizationId, organizationId), isNull(organizationInvitations.acceptedAt), isNull(organizationInvitations.revokedAt)));
  }

  /** The user's API keys as their owner sees them (never a hash). */
  apiKeys(userId: string) {
    return this.db
      .select({
        id: apiKeys.id,
        name: apiKeys.name,
        prefix: apiKeys.prefix,
        organizationId: apiKeys.organizationId,
        createdAt: apiKeys.createdAt,
        expiresAt: apiKeys.expiresAt,
        revokedAt: apiKeys.revokedAt,
        lastUsedAt: apiKeys.lastUsedAt,
      })
      .from(apiKeys)
      .where(eq(apiKeys.userId, userId))
      .orderBy(asc(apiKeys.createdAt));
  }

  /** The organizations the user belongs to, with their owners and members counted. */
  async memberships(userId: string): Promise<Membership[]> {
    const rows = rowsOf<Membership>(
      await this.db.execute(sql`
      select m.organization_id as "organizationId", o.name, m.role,
        (select count(*) from organization_members x where x.organization_id = m.organization_id and x.role = 'OWNER')::int as owners,
        (select count(*) from organization_members x where x.organization_id = m.organization_id)::int as members
      from organization_members m join organizations o on o.id = m.organization_id
      where m.user_id = ${userId}
      order by o.name`),
    );
    return rows.map((row) => ({ ...row, owners: Number(row.owners), members: Number(row.members) }));
  }

  /**
   * Removes a person from the service, in the caller's transaction: their address, password,
   * conversations, notifications, links and saved answers go (not the ledger's idempotency keys:
   * a retried adjustment must still find its first result); their keys are revoked and unnamed;
   * the row stays with an address that can never be typed, because the ledger entries and payments
   * it owns are kept (anonymized: they name an account nobody can tie to a person). Every session
   * ends. Null when the account was already deleted.
   */
  async anonymize(tx: Executor, userId: string, passwordHash: string, now: Date): Promise<{ id: string } | null> {
    const placeholder = `deleted-${userId}@deleted.invalid`;
    const [row] = await tx
      .update(users)
      .set({
        email: placeholder,
        emailCanonical: placeholder,
        passwordHash,
        sessionVersion: sql`${users.sessionVersion} + 1`,
        emailVerifiedAt: null,
        suspendedAt: null,
        deletedAt: now,
      })
      .where(and(eq(users.id, userId), isNull(users.deletedAt)))
      .returning({ id: users.id });
    if (!row) return null;
    await tx.delete(conversations).where(eq(conversations.userId, userId));
    await tx.delete(notifications).where(eq(notifications.userId, userId));
    await tx.delete(notificationThrottle).where(eq(notificationThrottle.userId, userId));
    await tx.delete(userEvents).where(eq(userEvents.userId, userId));
    await tx.delete(accountTokens).where(eq(accountTokens.userId, userId));
    await tx.delete(idempotencyKeys).where(and(eq(idempotencyKeys.ownerId, userId), ne(idempotencyKeys.scope, 'ledger')));
    await tx.update(apiKeys).set({ name: '', revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${now})` }).where(eq(apiKeys.userId, userId));
    return row;
  }
}
