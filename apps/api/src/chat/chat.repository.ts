import { Inject, Injectable } from '@nestjs/common';
import { and, desc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import { DATABASE, executePrepared, rowsOf, type DatabaseHandle, type Executor } from '../database/database.js';
import { conversations, messages } from '../database/schema.js';
import { containsPattern } from '../common/text.js';
import { ledgerChange, type AttachedWrite } from '../quota/ledger/ledger.repository.js';

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

  /** Whether the user belongs to the organization (a workspace they may chat in). */
  async isMember(organizationId: string, userId: string): Promise<boolean> {
    const rows = rowsOf(await this.db.execute(sql`select 1 from organization_members where organization_id = ${organizationId} and user_id = ${userId}`));
    return rows.length > 0;
  }

  /** The newest messages of a conversation, newest first. */
  async recentMessages(conversationId: string, limit: number): Promise<MessageRow[]> {
    return this.db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(desc(messages.id)).limit(limit);
  }

  /**
   * A page of the user's conversations in one workspace (an organization's, or their own account's), newest activity first. With `query`, only those whose
   * title or messages contain it (ILIKE with `%`, `_` and the backslash escaped: the text matches literally).
   */
  async listConversations(userId: string, page: { limit: number; offset: number; query?: string; organizationId: string | null }) {
    const workspace = page.organizationId ? eq(conversations.organizationId, page.organizationId) : isNull(conversations.organizationId);
    const where = and(eq(conversations.userId, userId), workspace, page.query ? matching(page.query) : undefined);
    const rows = await this.db
      .select()
      .from(conversations)
      .where(where)
      .orderBy(desc(conversations.updatedAt), desc(conversations.id))
      .limit(page.limit)
      .offset(page.offset);
    const [{ total }] = (await this.db
      .select({ total: sql<number>`count(*)::int` })
      .from(conversations)
      .where(where)) as [{ total: number }];
    return { rows, total };
  }

  /** Renames the user's own conversation; null when there is none of that id for them. */
  async renameConversation(userId: string, conversationId: string, title: string): Promise<ConversationRow | null> {
    const [row] = await this.db
      .update(conversations)
      .set({ title })
      .where(and(eq(conversations.id, conversationId), eq(conversations.userId, userId)))
      .returning();
    return row ?? null;
  }

  /**
   * Deletes the user's own conversation and, by the foreign key's cascade, its messages. The
   * ledger is not touched: its entries keep their amounts (and the id in their metadata).
   */
  async deleteConversation(userId: string, conversationId: string): Promise<boolean> {
    const rows = await this.db
      .delete(conversations)
      .where(and(eq(conversations.id, conversationId), eq(conversations.userId, userId)))
      .returning({ id: conversations.id });
    return rows.length > 0;
  }

  async allMessages(conversationId: string): Promise<MessageRow[]> {
    return this.db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(messages.id);
  }

  /**
   * Records one finished turn in one prepared statement: the conversation (created on its first
   * turn) and both messages. Returns the assistant message's id.
   */
  async recordTurn(executor: Executor, turn: TurnRecord): Promise<{ id: number }> {
    const rows = rowsOf<TurnRecorded>(
      await executePrepared(executor, 'chat_record_turn', sql`with ${this.turnCtes(turn, sql`true`, sql`null::bigint`)} select ${TURN_COLUMNS}`),
    );
    return assistantOf(turn, rows[0]!);
  }

  /**
   * The same records as plain data for the turn's settlement statement: written only when the
   * settlement applies, with the assistant message pointing at its ledger entry. The settlement
   * does not apply to a conversation of another user.
   */
  turnWrite(turn: TurnRecord): AttachedWrite {
    return {
      name: 'chat_turn',
      guard: sql`not exists (select 1 from conversations where id = ${turn.conversationId}::uuid and user_id <> ${turn.userId}::uuid)`,
      ctes: this.turnCtes(turn, ledgerChange.applied, ledgerChange.firstEntryId),
      columns: TURN_COLUMNS,
      assertion: sql`(select count(*) from conversation) = 1 and (select count(*) from inserted) = 2`,
    };
  }

  /** What `turnWrite` recorded, from the statement's result row. */
  recordedTurn(turn: TurnRecord, row: Record<string, unknown>): { id: number } {
    return assistantOf(turn, row as unknown as TurnRecorded);
  }

  /** `conversation` and `inserted` CTEs, written when `when` holds; the assistant message's entry defaults to `settlementEntry`. */
  private turnCtes(turn: TurnRecord, when: SQL, settlementEntry: SQL): SQL {
    const at = turn.now.toISOString();
    const rows = JSON.stringify(
      [turn.userMessage, turn.assistantMessage].map((message, ord) => ({
        ord,
        role: message.role,
        content: message.content,
        content_tokens: message.contentTokens,
        model: message.model ?? null,
        prompt_tokens: message.promptTokens ?? null,
        completion_tokens: message.completionTokens ?? null,
        charged_tokens: message.chargedTokens ?? null,
        purchased_tokens: message.purchasedTokens ?? null,
        free_tokens: message.freeTokens ?? null,
        overage_tokens: message.overageTokens ?? null,
        ledger_entry_id: message.ledgerEntryId ?? null,
        usage_estimated: message.usageEstimated ?? false,
      })),
    );
    return sql`
        conversation as (
          insert into conversations (id, user_id, organization_id, title, model, turn_count, charged_tokens, created_at, updated_at)
          select ${turn.conversationId}::uuid, ${turn.userId}::uuid, ${turn.organizationId}::uuid, ${turn.title}::text, ${turn.model}::text, 1,
                 ${turn.chargedTokens}::bigint, ${at}::timestamptz, ${at}::timestamptz
          where ${when}
          on conflict (id) do update
            set turn_count = conversations.turn_count + 1,
                charged_tokens = conversations.charged_tokens + excluded.charged_tokens,
                model = excluded.model,
                updated_at = excluded.updated_at
            -- Never touches a row of another user or workspace, whatever id a client sends.
            where conversations.user_id = excluded.user_id and conversations.organization_id is not distinct from excluded.organization_id
          returning id
        ), inserted as (
          insert into messages (conversation_id, role, content, content_tokens, model, prompt_tokens, completion_tokens, charged_tokens,
                                purchased_tokens, free_tokens, overage_tokens, ledger_entry_id, usage_estimated, created_at)
          select conversation.id, m.role, m.content, m.content_tokens, m.model, m.prompt_tokens, m.completion_tokens, m.charged_tokens,
                 m.purchased_tokens, m.free_tokens, m.overage_tokens,
                 coalesce(m.ledger_entry_id, case when m.role = 'assistant' then ${settlementEntry} end), m.usage_estimated, ${at}::timestamptz
          from conversation,
               jsonb_to_recordset(${rows}::jsonb) as m(ord int, role text, content text, content_tokens int, model text, prompt_tokens int,
                 completion_tokens int, charged_tokens bigint, purchased_tokens bigint, free_tokens bigint, overage_tokens bigint,
                 ledger_entry_id bigint, usage_estimated boolean)
          order by m.ord
          returning id
        )`;
  }
}


/** Conversations whose title or any message contains `query`, case-insensitively. */
function matching(query: string): SQL {
  const pattern = containsPattern(query);
  return or(
    sql`${conversations.title} ilike ${pattern} escape '\\'`,
    sql`exists (select 1 from ${messages} where ${messages.conversationId} = ${conversations.id} and ${messages.content} ilike ${pattern} escape '\\')`,
  )!;
}

/** One finished turn: its conversation and both messages. */
export interface TurnRecord {
  conversationId: string;
  userId: string;
  /** The workspace charged: an organization's pool, or null (the user's own account). */
  organizationId: string | null;
  title: string;
  model: string;
  chargedTokens: number;
  now: Date;
  userMessage: NewMessage;
  assistantMessage: NewMessage;
}

type TurnRecorded = { saved: number; assistant_id: number | string | null };

const TURN_COLUMNS = sql`(select count(*) from conversation)::int as saved, (select max(id) from inserted) as assistant_id`;

function assistantOf(turn: TurnRecord, row: TurnRecorded): { id: number } {
  if (Number(row.saved) === 0) throw new Error(`conversation ${turn.conversationId} belongs to another user`);
  return { id: Number(row.assistant_id) };
}
