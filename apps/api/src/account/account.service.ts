import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApiKeyCache } from '../api-keys/api-key-cache.js';
import { SessionUserCache } from '../auth/session-user-cache.js';
import { ArchiveService } from '../archive/archive.service.js';
import { AuthService } from '../auth/auth.service.js';
import { passwordHasher } from '../auth/password-hasher.js';
import { CLOCK, type Clock } from '../common/clock.js';
import type { CsvDownload } from '../common/csv-download.js';
import { ArchiveDamagedError, OwnsOrganizationError, PaymentInProgressError } from '../common/errors.js';
import { newSecret } from '../common/secret-token.js';
import { LEDGER_CSV_HEAD, ledgerCsvLine } from '../organizations/organization-ledger-csv.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { SubscriptionsService } from '../payments/subscriptions.service.js';
import { HoldsService } from '../quota/holds/holds.service.js';
import { MemberLimitsService } from '../quota/members/member-limits.service.js';
import { UsageReadsService } from '../quota/usage/usage-reads.service.js';
import { exportFileNames, jsonEntry, jsonField } from './account-export.js';
import { AccountRepository } from './account.repository.js';

/** Conversations read per batch of an export (each one's messages are then read a batch at a time). */
const CONVERSATIONS_PER_BATCH = 50;
const ROWS_PER_BATCH = 1_000;

/**
 * What an account's owner may do with the account itself (PIPA's rights): take their data
 * along (a JSON file of everything, a CSV of the ledger) and delete the account.
 */
@Injectable()
export class AccountService {
  private readonly logger = new Logger(AccountService.name);

  constructor(
    private readonly repository: AccountRepository,
    private readonly auth: AuthService,
    private readonly organizations: OrganizationsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly holds: HoldsService,
    private readonly limits: MemberLimitsService,
    private readonly reads: UsageReadsService,
    private readonly keyCache: ApiKeyCache,
    private readonly sessions: SessionUserCache,
    private readonly archive: ArchiveService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Everything kept about the user, as one JSON document produced piece by piece (the database
   * is read a batch at a time, as the client takes the file): profile, token account,
   * organizations, API keys, conversations with their messages, ledger, purchases, subscriptions
   * and notifications.
   */
  async exportJson(userId: string): Promise<{ fileName: { ascii: string; unicode: string }; chunks: AsyncIterable<string> }> {
    const profile = await this.auth.me(userId);
    const now = this.clock.now();
    const { repository, reads, archive } = this;
    const tokenAccount = await repository.tokenAccount(userId);
    const memberships = await repository.memberships(userId);
    const keys = await repository.apiKeys(userId);
    const span = wholeHistory(now);
    const extent = await reads.entriesExtent(userId, span);
    async function* chunks(): AsyncGenerator<string> {
      yield `{${jsonField('exportedAt', now.toISOString())},${jsonField('profile', profile)},${jsonField('tokenAccount', tokenAccount)}`;
      yield `,${jsonField('organizations', memberships.map(({ organizationId, name, role }) => ({ organizationId, name, role })))},${jsonField('apiKeys', keys)}`;
      yield ',"conversations":[';
      let first = true;
      for (let after: string | null = null; ; ) {
        const page = await repository.conversationsAfter(userId, after, CONVERSATIONS_PER_BATCH);
        for (const conversation of page) {
          // The conversation's fields, then its messages a batch at a time: one long conversation is never held whole.
          yield `${first ? '' : ','}${JSON.stringify(conversation).slice(0, -1)},"messages":[`;
          first = false;
          let firstMessage = true;
          // An archived one's messages come from its archive (one conversation's, read back whole); one
          // archived or restored meanwhile is read where its messages are now. A damaged archive is
          // said so in the file rather than ending it.
          const fromArchive: unknown[] | null =
            conversation.archivedAt || conversation.turnCount > 0
              ? await archive.messages(conversation.id).catch((error: unknown) => {
                  if (!(error instanceof ArchiveDamagedError)) throw error;
                  return [{ error: 'ARCHIVE_DAMAGED' }];
                })
              : null;
          if (fromArchive) yield fromArchive.map((message) => jsonEntry(message, firstMessage ? ((firstMessage = false), true) : false)).join('');
          for (let last = 0; !fromArchive; ) {
            const found = await repository.messagesOf(conversation.id, last, ROWS_PER_BATCH);
            if (found.length > 0) yield found.map((message) => jsonEntry(message, firstMessage ? ((firstMessage = false), true) : false)).join('');
            if (found.length < ROWS_PER_BATCH) break;
            last = found[found.length - 1]!.id;
          }
          yield ']}';
        }
        if (page.length < CONVERSATIONS_PER_BATCH) break;
        after = page[page.length - 1]!.id;
      }
      yield '],"ledger":[';
      if (extent.firstId !== null && extent.lastId !== null) {
        let firstEntry = true;
        for await (const rows of reads.entriesBetween(userId, { ...span, firstId: extent.firstId, lastId: extent.lastId })) {
          yield rows.map(({ memberEmail: _, ...entry }) => jsonEntry(entry, firstEntry ? ((firstEntry = false), true) : false)).join('');
        }
      }
      yield '],"purchases":[';
      yield* pages((after) => repository.paymentsAfter(userId, after, ROWS_PER_BATCH));
      yield `],${jsonField('subscriptions', await repository.subscriptions(userId))},"notifications":[`;
      yield* pages((after) => repository.notificationsAfter(userId, after, ROWS_PER_BATCH));
      yield ']}\n';
    }
    return { fileName: exportFileNames(now), chunks: chunks() };
  }

  /** The user's own ledger as CSV, oldest first (the columns of the organization's ledger file). */
  async ledgerCsv(userId: string): Promise<CsvDownload> {
    const now = this.clock.now();
    const span = wholeHistory(now);
    const extent = await this.reads.entriesExtent(userId, span);
    const { reads } = this;
    const timeZone = reads.timeZone;
    async function* chunks(): AsyncGenerator<string> {
      yield LEDGER_CSV_HEAD;
      if (extent.firstId === null || extent.lastId === null) return;
      for await (const rows of reads.entriesBetween(userId, { ...span, firstId: extent.firstId, lastId: extent.lastId })) {
        yield rows.map((row) => ledgerCsvLine(row, timeZone)).join('');
      }
    }
    const day = now.toISOString().slice(0, 10);
    return { fileName: { ascii: `consult-on-ledger-${day}.csv`, unicode: `consult-on-ledger-${day}.csv` }, chunks: chunks() };
  }

  /**
   * Deletes the caller's account, with their password. Refused while an order is being paid (it
   * could open a subscription on an account nobody has) and while the caller is the only owner of
   * an organization with other members. Renewals are cancelled with the provider, the caller
   * leaves their organizations; then in one transaction, with their accounts locked, the turns in
   * flight are voided (their own and, in organizations they alone belonged to, their member holds),
   * and the personal data goes (AccountRepository.anonymize). The ledger and payments stay.
   */
  async delete(userId: string, password: string): Promise<void> {
    await this.auth.assertPassword(userId, password);
    if ((await this.repository.pendingOrders(userId)) > 0) throw new PaymentInProgressError();
    const memberships = await this.repository.memberships(userId);
    const blocking = memberships.filter((membership) => membership.role === 'OWNER' && membership.owners === 1 && membership.members > 1);
    if (blocking.length > 0) throw new OwnsOrganizationError(blocking.map(({ organizationId, name }) => ({ id: organizationId, name })));
    // A renewal must never charge a deleted account: the provider is told first (503, and the account stays, if it cannot be).
    for (const subscription of await this.repository.subscriptions(userId)) {
      if (subscription.status !== 'CANCELED') await this.subscriptions.cancel(userId, subscription.id, 'ko');
    }
    for (const membership of memberships) {
      if (membership.members > 1) await this.organizations.removeMember(userId, membership.organizationId, userId);
    }
    // Nobody can sign in with what replaces the password: it is a hash of a secret nobody keeps.
    const passwordHash = await passwordHasher.hash(newSecret(32));
    // Archives kept in the object store are deleted with the conversations (after the rows are gone).
    const archivedObjects = await this.archive.objectKeysOf({ userId });
    const now = this.clock.now();
    const outcome = await this.repository.db.transaction(async (tx) => {
      let voided = await this.holds.voidAccountHolds(tx, userId);
      for (const membership of memberships) {
        if (membership.members > 1) continue;
        voided += await this.limits.leave(tx, membership.organizationId, userId);
        await this.repository.leaveAlone(tx, membership.organizationId, userId, now);
      }
      return { deleted: await this.repository.anonymize(tx, userId, passwordHash, now), voided };
    });
    this.keyCache.clear();
    this.sessions.forget(userId);
    await this.archive.forgetObjects(archivedObjects);
    if (outcome.deleted) this.logger.warn({ message: 'account deleted by its owner; ledger and payments kept anonymized', userId, voidedHolds: outcome.voided });
  }
}

/** Every entry an account has, whenever it was written (a day past now: clocks of other instances may run ahead). */
function wholeHistory(now: Date): { start: Date; end: Date } {
  return { start: new Date(0), end: new Date(now.getTime() + 86_400_000) };
}

/** Writes pages read by id (the last of each page is where the next starts) as JSON array entries. */
async function* pages<T extends { id: string }>(read: (after: string | null) => Promise<T[]>): AsyncGenerator<string> {
  let first = true;
  for (let after: string | null = null; ; ) {
    const page = await read(after);
    if (page.length === 0) return;
    yield page.map((row) => jsonEntry(row, first ? ((first = false), true) : false)).join('');
    if (page.length < ROWS_PER_BATCH) return;
    after = page[page.length - 1]!.id;
  }
}
