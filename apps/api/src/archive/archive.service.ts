import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { NotFoundError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { decodeArchive, encodeArchive } from './archive-codec.js';
import { ArchiveRepository, type ArchivedMessage } from './archive.repository.js';

const DAY_MS = 86_400_000;
/** Conversations moved per transaction. */
const BATCH = 200;

/** JSON turns a message's dates into strings: they come back as dates. */
function revive(message: ArchivedMessage): ArchivedMessage {
  return { ...message, createdAt: new Date(message.createdAt) };
}

/**
 * The conversation archive (the report's 대화 아카이브): conversations idle longer than
 * ARCHIVE_AFTER_DAYS have their messages moved out of `messages` into one compressed, checksummed
 * row each; they stay listed, open read-only from the archive, and a restore moves them back.
 * Receipts and ledger entries are never archived (they are the ledger's, not the messages').
 */
@Injectable()
export class ArchiveService {
  private readonly logger = new Logger(ArchiveService.name);

  constructor(
    private readonly repository: ArchiveRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Archives every conversation that is due, `BATCH` per transaction: a batch is archived whole or
   * not at all, so a job stopped half-way (a crash) loses and duplicates nothing and the next run
   * goes on. Instances running it at once take different conversations (skip locked).
   */
  async archiveDue(): Promise<{ conversations: number; messages: number; bytesRaw: number; bytesStored: number }> {
    const totals = { conversations: 0, messages: 0, bytesRaw: 0, bytesStored: 0 };
    const cutoff = new Date(this.clock.now().getTime() - this.config.archiveAfterDays * DAY_MS);
    for (;;) {
      const moved = await this.repository.db.transaction(async (tx) => {
        const due = await this.repository.due(tx, cutoff, BATCH);
        if (due.length === 0) return null;
        const rows = await this.repository.messagesOf(tx, due.map((conversation) => conversation.id));
        const byConversation = new Map(due.map((conversation) => [conversation.id, [] as ArchivedMessage[]]));
        for (const row of rows) byConversation.get(row.conversationId)!.push(row);
        const at = this.clock.now();
        const archives = await Promise.all(
          [...byConversation].map(async ([conversationId, list]) => {
            const encoded = await encodeArchive(list);
            return { conversationId, payload: encoded.payload, sha256: encoded.sha256, messageCount: list.length, bytesRaw: encoded.bytesRaw, bytesStored: encoded.payload.length, archivedAt: at };
          }),
        );
        await this.repository.store(tx, archives, at);
        return { conversations: archives.length, messages: rows.length, bytesRaw: archives.reduce((sum, a) => sum + a.bytesRaw, 0), bytesStored: archives.reduce((sum, a) => sum + a.bytesStored, 0) };
      });
      if (!moved) break;
      totals.conversations += moved.conversations;
      totals.messages += moved.messages;
      totals.bytesRaw += moved.bytesRaw;
      totals.bytesStored += moved.bytesStored;
      if (moved.conversations < BATCH) break;
    }
    if (totals.conversations > 0) this.logger.log({ message: 'conversations archived', ...totals });
    return totals;
  }

  /** An archived conversation's messages, read back from its archive (checksum checked). */
  async messages(conversationId: string): Promise<ArchivedMessage[]> {
    const archive = await this.repository.find(this.repository.db, conversationId);
    if (!archive) throw new NotFoundError();
    return (await decodeArchive<ArchivedMessage>(archive.payload, archive.sha256)).map(revive);
  }

  /** Moves a user's archived conversation back into the hot table (it can be continued); 404 when it is not theirs or not archived. */
  async restore(userId: string, conversationId: string): Promise<void> {
    await this.repository.db.transaction(async (tx) => {
      if (!(await this.repository.lockArchived(tx, userId, conversationId))) throw new NotFoundError();
      const archive = await this.repository.find(tx, conversationId);
      if (!archive) throw new NotFoundError();
      const rows = await decodeArchive<ArchivedMessage>(archive.payload, archive.sha256);
      await this.repository.restore(tx, conversationId, rows);
    });
  }
}
