import { Inject, Injectable } from '@nestjs/common';
import { and, desc, eq, sql } from 'drizzle-orm';
import { DATABASE, type DatabaseHandle, type Executor } from '../database/database.js';
import { conversations, messages } from '../database/schema.js';

export type ConversationRow = typeof conversations.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;

@Injectable()
export class ChatRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  /** The user's own conversation, or null (another user's conversation does not exist for them). */
  async findOwnConversation(userId: string, conversationId: string): Promise<ConversationRow | null> {
    const [row] = await this.db
      .select()
      .from(conversations)
      .where(and(eq(conversations.id, conversationId), eq(conversations.userId, userId)));
    return row ?? null;
  }

  /** The newest messages of a conversation, newest first. */
  async recentMessages(conversationId: string, limit: number): Promise<MessageRow[]> {
    return this.db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(desc(messages.id)).limit(limit);
  }

  async listConversations(userId: string, page: { limit: number; offset: number }) {
    const rows = await this.db
      .select()
      .from(conversations)
      .where(eq(conversations.userId, userId))
      .orderBy(desc(conversations.updatedAt), desc(conversations.id))
      .limit(page.limit)
      .offset(page.offset);
    const [{ total }] = (await this.db
      .select({ total: sql<number>`count(*)::int` })
      .from(conversations)
      .where(eq(conversations.userId, userId))) as [{ total: number }];
    return { rows, total };
  }

  async allMessages(conversationId: string): Promise<MessageRow[]> {
    return this.db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(messages.id);
  }

  /** Records one finished turn: the conversation (created on its first turn) and both messages. */
  async recordTurn(
    tx: Executor,
    turn: { conversationId: string; userId: string; title: string; model: string; chargedTokens: number; now: Date },
    userMessage: NewMessage,
    assistantMessage: NewMessage,
  ): Promise<MessageRow> {
    const saved = await tx
      .insert(conversations)
      .values({
        id: turn.conversationId,
        userId: turn.userId,
        title: turn.title,
        model: turn.model,
        turnCount: 1,
        chargedTokens: turn.chargedTokens,
        createdAt: turn.now,
        updatedAt: turn.now,
      })
      .onConflictDoUpdate({
        target: conversations.id,
        set: {
          turnCount: sql`${conversations.turnCount} + 1`,
          chargedTokens: sql`${conversations.chargedTokens} + ${turn.chargedTokens}`,
          model: turn.model,
          updatedAt: turn.now,
        },
        // Never touches a row of another user, whatever id a client sends.
        setWhere: eq(conversations.userId, turn.userId),
      })
      .returning({ id: conversations.id });
    if (saved.length === 0) throw new Error(`conversation ${turn.conversationId} belongs to another user`);
    const inserted = await tx
      .insert(messages)
      .values([
        { ...userMessage, createdAt: turn.now },
        { ...assistantMessage, createdAt: turn.now },
      ])
      .returning();
    return inserted[1]!;
  }
}
