import { Inject, Injectable } from '@nestjs/common';
import { and, desc, eq, getTableColumns, gt, gte, isNull, lt, or, sql } from 'drizzle-orm';
import { DATABASE, type DatabaseHandle, type Executor } from '../database/database.js';
import { apiKeys, ledgerEntries, organizationMembers, users } from '../database/schema.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type NewApiKey = typeof apiKeys.$inferInsert;
/** A key with its creator's address (listing). */
export type ListedApiKey = ApiKeyRow & { creatorEmail: string };
/**
 * A key found for a request, with its creator's role in the key's organization (null: no longer
 * a member) and whether the creator's account may be used (neither suspended nor deleted).
 */
export type PresentedApiKey = ApiKeyRow & { creatorRole: string | null; creatorActive: boolean };
/** What a key's owner may set: its name and limits, and whether its turns are kept. */
export type ApiKeySettings = Partial<Pick<ApiKeyRow, 'name' | 'monthlyBudgetTokens' | 'models' | 'turnsPerMinute' | 'concurrentTurns' | 'keepConversations'>>;
/** A day of a key's use: tokens charged and turns settled. */
export interface KeyUsageDay {
  day: string;
  tokens: number;
  turns: number;
}

/** API keys: only their hashes, found by their public prefix. */
@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  async insert(executor: Executor, key: NewApiKey): Promise<ApiKeyRow> {
    const [row] = await executor.insert(apiKeys).values(key).returning();
    return row!;
  }

  /** A person's own keys, or an organization's, newest first (revoked ones too: the list is their history). */
  list(executor: Executor, owner: { userId: string } | { organizationId: string }): Promise<ListedApiKey[]> {
    const where = 'organizationId' in owner ? eq(apiKeys.organizationId, owner.organizationId) : and(eq(apiKeys.userId, owner.userId), isNull(apiKeys.organizationId));
    return this.withCreator(executor).where(where).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  }

  /** Keys with their creator's address, as lists show them. */
  private withCreator(executor: Executor) {
    return executor
      .select({ ...this.columns(), creatorEmail: users.email })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .$dynamic();
  }

  /** Keys of an owner still in use at `now` (neither revoked nor expired). */
  async countInUse(executor: Executor, owner: { userId: string } | { organizationId: string }, now: Date): Promise<number> {
    const whose = 'organizationId' in owner ? eq(apiKeys.organizationId, owner.organizationId) : and(eq(apiKeys.userId, owner.userId), isNull(apiKeys.organizationId));
    const [row] = await executor
      .select({ count: sql<number>`count(*)::int` })
      .from(apiKeys)
      .where(and(whose, isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now))));
    return Number(row?.count ?? 0);
  }

  /** One key as listed (with its creator's address). */
  async listed(executor: Executor, id: string): Promise<ListedApiKey | null> {
    const [row] = await this.withCreator(executor).where(eq(apiKeys.id, id));
    return row ?? null;
  }

  async find(executor: Executor, id: string): Promise<ApiKeyRow | null> {
    const [row] = await executor.select().from(apiKeys).where(eq(apiKeys.id, id));
    return row ?? null;
  }

  /** The key with this prefix, whether its creator is still in its organization and may still be used: one statement per request. */
  async findByPrefix(executor: Executor, prefix: string): Promise<PresentedApiKey | null> {
    const [row] = await executor
      .select({
        ...this.columns(),
        creatorRole: organizationMembers.role,
        creatorActive: sql<boolean>`(${users.suspendedAt} is null and ${users.deletedAt} is null)`,
      })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .leftJoin(organizationMembers, and(eq(organizationMembers.organizationId, apiKeys.organizationId), eq(organizationMembers.userId, apiKeys.userId)))
      .where(eq(apiKeys.prefix, prefix));
    return row ?? null;
  }

  /** Revokes a key (the first revocation's time is kept). */
  async revoke(executor: Executor, id: string, now: Date): Promise<ApiKeyRow | null> {
    await executor.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
    return this.find(executor, id);
  }

  /**
   * Changes a key's settings. Its usage columns are the ledger's: never written here (a budget
   * set mid-month counts what the key already used this month).
   */
  async updateSettings(executor: Executor, id: string, settings: ApiKeySettings): Promise<void> {
    if (Object.keys(settings).length === 0) return;
    await executor.update(apiKeys).set(settings).where(eq(apiKeys.id, id));
  }

  /** A key's charges per day (in `timeZone`) since `since`, from the ledger entries that name it; days without any are left out. */
  async usageByDay(executor: Executor, id: string, since: Date, timeZone: string): Promise<KeyUsageDay[]> {
    const day = sql<string>`to_char((${ledgerEntries.createdAt} at time zone ${timeZone})::date, 'YYYY-MM-DD')`;
    const rows = await executor
      .select({
        day,
        tokens: sql<string>`coalesce(sum(${ledgerEntries.consumedDelta}), 0)`,
        turns: sql<string>`count(*) filter (where ${ledgerEntries.kind} = 'CONSUMPTION')`,
      })
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.apiKeyId, id), gte(ledgerEntries.createdAt, since)))
      // By position: the time zone is a parameter, and a second copy of the expression would be another one.
      .groupBy(sql`1`)
      .orderBy(sql`1`);
    return rows.map((row) => ({ day: row.day, tokens: Number(row.tokens), turns: Number(row.turns) }));
  }

  /** Notes a use, at most once a minute per key (a write per request would cost every call). */
  async touch(executor: Executor, id: string, now: Date): Promise<void> {
    await executor
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - 60_000)))));
  }

  private columns() {
    return getTableColumns(apiKeys);
  }
}
