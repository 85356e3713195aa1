import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { DATABASE, type DatabaseHandle, type Executor, type Transaction } from '../database/database.js';
import { conversationArchives, conversations, messages } from '../database/schema.js';

export type ArchivedMessage = typeof messages.$inferSelect;
export type ArchiveRow = typeof conversationArchives.$inferSelect;

/** Conversations' messages moved between the hot table and their archive rows. */
@Injectable()
export class ArchiveRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  /** The conversations idle since before `cutoff` and not archived, oldest first, locked for this transaction (others skip them). */
  async due(tx: Transaction, cutoff: Date, limit: number): Promise<{ id: string }[]> {
    return tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(isNull(conversations.archivedAt), lt(conversations.updatedAt, cutoff)))
      .orderBy(asc(conversations.updatedAt))
      .limit(limit)
      .for('update', { skipLocked: true });
  }

  /** The messages of some conversations, in order. */
  messagesOf(executor: Executor, conversationIds: string[]): Promise<ArchivedMessage[]> {
    if (conversationIds.length === 0) return Promise.resolve([]);
    return executor.select().from(messages).where(inArray(messages.conversationId, conversationIds)).orderBy(asc(messages.conversationId), asc(messages.id));
  }

  /** Keeps the archives, then takes their messages out of the hot table and marks the conversations archived (the caller's transaction). */
  async store(tx: Transaction, archives: (typeof conversationArchives.$inferInsert)[], at: Date): Promise<void> {
    if (archives.length === 0) return;
    const ids = archives.map((archive) => archive.conversationId);
    await tx.insert(conversationArchives).values(archives);
    await tx.delete(messages).where(inArray(messages.conversationId, ids));
    await tx.update(conversations).set({ archivedAt: at }).where(inArray(conversations.id, ids));
  }

  /** The object keys of archives kept in the store: of one conversation, or of all a user's. */
  async objectKeys(filter: { conversationId: string } | { userId: string }): Promise<string[]> {
    const rows = await this.db
      .select({ key: conversationArchives.objectKey })
      .from(conversationArchives)
      .innerJoin(conversations, eq(conversations.id, conversationArchives.conversationId))
      .where('conversationId' in filter ? eq(conversations.id, filter.conversationId) : eq(conversations.userId, filter.userId));
    return rows.map((row) => row.key).filter((key): key is string => key !== null);
  }

  async find(executor: Executor, conversationId: string): Promise<ArchiveRow | null> {
    const [row] = await executor.select().from(conversationArchives).where(eq(conversationArchives.conversationId, conversationId));
    return row ?? null;
  }

  /** Locks a user's archived conversation for its restore; null when it is not theirs or not archived. */
  async lockArchived(tx: Transaction, userId: string, conversationId: string): Promise<{ id: string } | null> {
    const [row] = await tx
      .select({ id: conversations.id, archivedAt: conversations.archivedAt })
      .from(conversations)
      .where(and(eq(conversations.id, conversationId), eq(conversations.userId, userId)))
      .for('update');
    return row?.archivedAt ? { id: row.id } : null;
  }

  /** Puts the messages back with their own ids (their receipts point at the ledger, not at them) and drops the archive. */
  async restore(tx: Transaction, conversationId: string, rows: ArchivedMessage[], now: Date): Promise<void> {
    for (let start = 0; start < rows.length; start += 500) {
      const chunk = rows.slice(start, start + 500);
      await tx.execute(sql`
        insert into messages (id, conversation_id, role, content, content_tokens, model, prompt_tokens, completion_tokens, charged_tokens,
                              purchased_tokens, free_tokens, overage_tokens, ledger_entry_id, usage_estimated, created_at)
        overriding system value
        select id, conversation_id, role, content, content_tokens, model, prompt_tokens, completion_tokens, charged_tokens,
               purchased_tokens, free_tokens, overage_tokens, ledger_entry_id, usage_estimated, created_at
        from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as m(id bigint, "conversationId" uuid, role text, content text, "contentTokens" int,
          model text, "promptTokens" int, "completionTokens" int, "chargedTokens" bigint, "purchasedTokens" bigint, "freeTokens" bigint,
          "overageTokens" bigint, "ledgerEntryId" bigint, "usageEstimated" boolean, "createdAt" timestamptz)
        cross join lateral (select m."conversationId" as conversation_id, m."contentTokens" as content_tokens, m."promptTokens" as prompt_tokens,
          m."completionTokens" as completion_tokens, m."chargedTokens" as charged_tokens, m."purchasedTokens" as purchased_tokens,
          m."freeTokens" as free_tokens, m."overageTokens" as overage_tokens, m."ledgerEntryId" as ledger_entry_id,
          m."usageEstimated" as usage_estimated, m."createdAt" as created_at) named`);
    }
    await tx.delete(conversationArchives).where(eq(conversationArchives.conversationId, conversationId));
    // Restored is active: not archived again before it is idle again.
    await tx.update(conversations).set({ archivedAt: null, updatedAt: now }).where(eq(conversations.id, conversationId));
  }

  /**
   * Marks a conversation active now, unless it was archived (false then): a turn on an old
   * conversation claims it before it starts, waiting behind an archive batch that holds it.
   */
  async claim(conversationId: string, now: Date): Promise<boolean> {
    const rows = await this.db
      .update(conversations)
      .set({ updatedAt: now })
      .where(and(eq(conversations.id, conversationId), isNull(conversations.archivedAt)))
      .returning({ id: conversations.id });
    return rows.length > 0;
  }
}
