import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { ArchiveDamagedError, NotFoundError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { decodeArchive, encodeArchive } from './archive-codec.js';
import { ARCHIVE_OBJECTS, type ArchiveObjects } from './archive-objects.js';
import { ArchiveRepository, type ArchivedMessage, type ArchiveRow } from './archive.repository.js';

/** An archive's object in the store. */
const objectKeyOf = (conversationId: string) => `conversations/${conversationId}.json.gz`;

const DAY_MS = 86_400_000;
/** Conversations moved per transaction (their messages are in memory together while it runs). */
const BATCH = 50;

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
    @Inject(ARCHIVE_OBJECTS) private readonly objects: ArchiveObjects | null,
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
        // One conversation at a time: the event loop gets a turn between them, and the thread pool (argon2's too) is not filled.
        const archives = [];
        for (const [conversationId, list] of byConversation) {
          const encoded = await encodeArchive(list);
          const stored = { sha256: encoded.sha256, messageCount: list.length, bytesRaw: encoded.bytesRaw, bytesStored: encoded.payload.length, archivedAt: at };
          if (this.objects) {
            // The object first, then the row: a crash between leaves an object the next run writes again (same key), never a row without its object.
            const objectKey = objectKeyOf(conversationId);
            await this.objects.put(objectKey, encoded.payload);
            archives.push({ conversationId, storage: 's3', payload: null, objectKey, ...stored });
          } else {
            archives.push({ conversationId, storage: 'postgres', payload: encoded.payload, objectKey: null, ...stored });
          }
        }
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

  /** A conversation's archived messages, read back from its archive (checksum checked); null when it has no archive (not archived, or restored meanwhile). */
  async messages(conversationId: string): Promise<ArchivedMessage[] | null> {
    const archive = await this.repository.find(this.repository.db, conversationId);
    if (!archive) return null;
    return (await decodeArchive<ArchivedMessage>(await this.payloadOf(archive), archive.sha256)).map(revive);
  }

  /**
   * A conversation's messages wherever they are now: from the archive or the hot table. Read
   * against the job and restores running meanwhile: what the conversation's row said is checked
   * against where the messages are found.
   */
  async readMessages(conversation: { id: string; archivedAt: Date | null; turnCount: number }, hot: () => Promise<ArchivedMessage[]>): Promise<{ messages: ArchivedMessage[]; archived: boolean }> {
    const archived = conversation.archivedAt ? await this.messages(conversation.id) : null;
    if (archived) return { messages: archived, archived: true };
    const rows = await hot();
    // Archived between reading its row and its messages: they are in the archive now.
    if (rows.length === 0 && conversation.turnCount > 0) {
      const moved = await this.messages(conversation.id);
      if (moved) return { messages: moved, archived: true };
    }
    return { messages: rows, archived: false };
  }

  /**
   * Claims an old conversation for a turn about to start (it becomes active now); false when it
   * was archived. Only a conversation within a day of being due is claimed: the others cost nothing.
   */
  async claimForTurn(conversation: { id: string; updatedAt: Date }): Promise<boolean> {
    const now = this.clock.now();
    const dueAt = conversation.updatedAt.getTime() + this.config.archiveAfterDays * DAY_MS;
    if (dueAt - now.getTime() > DAY_MS) return true;
    return this.repository.claim(conversation.id, now);
  }

  /** Moves a user's archived conversation back into the hot table (it can be continued); 404 when it is not theirs or not archived. */
  async restore(userId: string, conversationId: string): Promise<void> {
    const objectKey = await this.repository.db.transaction(async (tx) => {
      if (!(await this.repository.lockArchived(tx, userId, conversationId))) throw new NotFoundError();
      const archive = await this.repository.find(tx, conversationId);
      if (!archive) throw new NotFoundError();
      const rows = await decodeArchive<ArchivedMessage>(await this.payloadOf(archive), archive.sha256);
      await this.repository.restore(tx, conversationId, rows, this.clock.now());
      return archive.objectKey;
    });
    if (objectKey) await this.forgetObjects([objectKey]);
  }

  /** The objects of some conversations' archives in the store (before those conversations are deleted). */
  async objectKeysOf(filter: { conversationId: string } | { userId: string }): Promise<string[]> {
    return this.objects ? this.repository.objectKeys(filter) : [];
  }

  /** Deletes objects whose rows are gone (a restore, a deleted conversation or account); a failure is logged, the rows stay gone. */
  async forgetObjects(keys: string[]): Promise<void> {
    if (!this.objects) return;
    for (const key of keys) {
      await this.objects.delete(key).catch((error: unknown) => this.logger.warn({ message: 'archive object not deleted', key, error: String(error) }));
    }
  }

  private async payloadOf(archive: ArchiveRow): Promise<Buffer> {
    if (archive.storage === 's3') {
      if (!this.objects || !archive.objectKey) throw new ArchiveDamagedError();
      return this.objects.get(archive.objectKey);
    }
    if (!archive.payload) throw new ArchiveDamagedError();
    return archive.payload;
  }
}
