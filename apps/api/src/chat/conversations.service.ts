import { Injectable } from '@nestjs/common';
import { NotFoundError, ValidationFailedError } from '../common/errors.js';
import type { ConversationPageView, ConversationSummaryView, ConversationView, MessageView } from './chat.dto.js';
import { ArchiveService } from '../archive/archive.service.js';
import { ChatRepository, type ConversationRow, type MessageRow } from './chat.repository.js';
import { normalizeTitle } from './conversation-title.js';

function toSummary(row: ConversationRow): ConversationSummaryView {
  return {
    id: row.id,
    title: row.title,
    model: row.model,
    organizationId: row.organizationId,
    turnCount: row.turnCount,
    chargedTokens: row.chargedTokens,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    archived: row.archivedAt !== null,
  };
}

function toMessage(row: MessageRow): MessageView {
  return {
    id: row.id,
    role: row.role,
    content: row.content,
    createdAt: row.createdAt.toISOString(),
    usage:
      row.role === 'assistant'
        ? {
            promptTokens: row.promptTokens ?? 0,
            completionTokens: row.completionTokens ?? 0,
            chargedTokens: row.chargedTokens ?? 0,
            purchasedTokens: row.purchasedTokens ?? 0,
            freeTokens: row.freeTokens ?? 0,
            overageTokens: row.overageTokens ?? 0,
            estimated: row.usageEstimated,
          }
        : null,
  };
}

/** The kept conversations of a user (the report's 대화 목록 유지): only ever their own. */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly repository: ChatRepository,
    private readonly archive: ArchiveService,
  ) {}

  /** A page of the user's conversations in one workspace: an organization's, or (without one) their own account's. */
  async list(userId: string, page: { limit?: number; offset?: number; q?: string; organizationId?: string }): Promise<ConversationPageView> {
    const query = page.q?.trim() || undefined;
    const { rows, total } = await this.repository.listConversations(userId, { limit: page.limit ?? 20, offset: page.offset ?? 0, query, organizationId: page.organizationId ?? null });
    return { items: rows.map(toSummary), total };
  }

  async get(userId: string, conversationId: string): Promise<ConversationView> {
    const conversation = await this.repository.findOwnConversation(userId, conversationId);
    if (!conversation) throw new NotFoundError();
    // An archived conversation opens read-only, from its archive.
    const { messages, archived } = await this.archive.readMessages(conversation, () => this.repository.allMessages(conversation.id));
    return { ...toSummary(conversation), archived, messages: messages.map(toMessage) };
  }

  /** Brings an archived conversation back ("continue"): its messages return to the hot table, and it can take turns again. */
  async restore(userId: string, conversationId: string): Promise<ConversationView> {
    await this.archive.restore(userId, conversationId);
    return this.get(userId, conversationId);
  }

  /** A new title (trimmed, one space between words); another user's conversation does not exist. */
  async rename(userId: string, conversationId: string, title: string): Promise<ConversationSummaryView> {
    const cleaned = normalizeTitle(title);
    if (!cleaned) throw new ValidationFailedError([{ field: 'title', problems: ['title must not be blank'] }]);
    const row = await this.repository.renameConversation(userId, conversationId, cleaned);
    if (!row) throw new NotFoundError();
    return toSummary(row);
  }

  /** The conversation and its messages go; what its turns were charged stays in the ledger. */
  async remove(userId: string, conversationId: string): Promise<void> {
    // An archive kept in the object store goes with it (its row goes with the conversation's).
    const objects = await this.archive.objectKeysOf({ conversationId });
    if (!(await this.repository.deleteConversation(userId, conversationId))) throw new NotFoundError();
    await this.archive.forgetObjects(objects);
  }
}
