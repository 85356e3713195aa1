import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApiKeyCache } from '../api-keys/api-key-cache.js';
import { AuthService } from '../auth/auth.service.js';
import { passwordHasher } from '../auth/password-hasher.js';
import { CLOCK, type Clock } from '../common/clock.js';
import type { CsvDownload } from '../common/csv-download.js';
import { OwnsOrganizationError } from '../common/errors.js';
import { newSecret } from '../common/secret-token.js';
import { LEDGER_CSV_HEAD, ledgerCsvLine } from '../organizations/organization-ledger-csv.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { SubscriptionsService } from '../payments/subscriptions.service.js';
import { HoldsService } from '../quota/holds/holds.service.js';
import { UsageReadsService } from '../quota/usage/usage-reads.service.js';
import { exportFileNames, jsonEntry, jsonField } from './account-export.js';
import { AccountRepository } from './account.repository.js';

/** Conversations read per batch of an export (their messages are read together, a batch at a time). */
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
    private readonly reads: UsageReadsService,
    private readonly keyCache: ApiKeyCache,
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
    const { repository, reads } = this;
    const tokenAccount = await repository.tokenAccount(userId);
    const memberships = await repository.memberships(userId);
    const keys = await repository.apiKeys(userId);
    const extent = await reads.entriesExtent(userId, { start: new Date(0), end: new Date(now.getTime() + 86_400_000) });
    async function* chunks(): AsyncGenerator<string> {
      yield `{${jsonField('exportedAt', now.toISOString())},${jsonField('profile', profile)},${jsonField('tokenAccount', tokenAccount)}`;
      yield `,${jsonField('organizations', memberships.map(({ organizationId, name, role }) => ({ organizationId, name, role })))},${jsonField('apiKeys', keys)}`;
      yield ',"conversations":[';
      let first = true;
      for (let after: string | null = null; ; ) {
        const page = await repository.conversationsAfter(userId, after, CONVERSATIONS_PER_BATCH);
        if (page.length === 0) break;
        const byConversation = new Map(page.map((conversation) => [conversation.id, [] as unknown[]]));
        for (let last = 0; ; ) {
          const found = await repository.messagesOf([...byConversation.keys()], last, ROWS_PER_BATCH);
          for (const message of found) byConversation.get(message.conversationId)!.push(message);
          if (found.length < ROWS_PER_BATCH) break;
          last = found[found.length - 1]!.id;
        }
        yield page.map((conversation) => jsonEntry({ ...conversation, messages: byConversation.get(conversation.id) }, first ? ((first = false), true) : false)).join('');
        after = page[page.length - 1]!.id;
        if (page.length < CONVERSATIONS_PER_BATCH) break;
      }
      yield '],"ledger":[';
      if (extent.firstId !== null && extent.lastId !== null) {
        let firstEntry = true;
        for await (const rows of reads.entriesBetween(userId, { start: new Date(0), end: new Date(now.getTime() + 86_400_000), firstId: extent.firstId, lastId: extent.lastId })) {
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
    const span = { start: new Date(0), end: new Date(now.getTime() + 86_400_000) };
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
   * Deletes the caller's account, with their password: renewals are cancelled (with the
   * provider), they leave their organizations, their personal data and conversations are deleted,
   * their keys revoked, every session ended, and their turns in flight voided. The ledger and
   * payments stay, anonymized. The only owner of an organization that has other members must hand
   * it over first (409 OWNS_ORGANIZATION); an organization they alone belong to stays as it is.
   */
  async delete(userId: string, password: string): Promise<void> {
    await this.auth.assertPassword(userId, password);
    const memberships = await this.repository.memberships(userId);
    const blocking = memberships.filter((membership) => membership.role === 'OWNER' && membership.owners === 1 && membership.members > 1);
    if (blocking.length > 0) throw new OwnsOrganizationError(blocking.map(({ organizationId, name }) => ({ id: organizationId, name })));
    // A renewal must never charge a deleted account: the provider is told first (503 and nothing deleted if it cannot be).
    for (const subscription of await this.repository.subscriptions(userId)) {
      if (subscription.status !== 'CANCELED') await this.subscriptions.cancel(userId, subscription.id, 'ko');
    }
    for (const membership of memberships) {
      if (membership.members > 1) await this.organizations.removeMember(userId, membership.organizationId, userId);
    }
    // Nobody can sign in with what replaces the password: it is a hash of a secret nobody keeps.
    const deleted = await this.repository.anonymize(userId, await passwordHasher.hash(newSecret(32)), this.clock.now());
    this.keyCache.clear();
    const voided = await this.holds.voidOpenHolds(userId);
    if (deleted) this.logger.warn({ message: 'account deleted by its owner; ledger and payments kept anonymized', userId, voidedHolds: voided });
  }
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
