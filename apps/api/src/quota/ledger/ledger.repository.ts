import { Inject, Injectable } from '@nestjs/common';
import type { AccountBalances, BalanceDelta } from '@consult-on/quota-policy';
import { and, eq, lt, sql, type SQL } from 'drizzle-orm';
import { DATABASE, executePrepared, rowsOf, type DatabaseHandle, type Executor } from '../../database/database.js';
import { apiKeys, ledgerEntries, organizationMembers, tokenAccounts, tokenHolds, type LedgerEntryKind } from '../../database/schema.js';
import type { KeyUsage, KeyUsageChange, MemberUsage } from '../members/member-limit.js';

export interface AccountRow extends AccountBalances {
  /** The account's id: a user's, or an organization's pool (then `organizationId` equals it). */
  userId: string;
  organizationId: string | null;
  periodKey: string;
  /** The plan that applies now, and the one chosen to start at the next reset (null: the same). */
  planId: string;
  nextPlanId: string | null;
  /** The last period a paid plan's payment covers (null: the plan does not depend on payments). */
  planPaidThrough: string | null;
  /** Holds in status OPEN: turns in flight, capped by the plan. */
  openHolds: number;
  /** Bumped by every write of the account. */
  version: number;
}

export interface NewLedgerEntry {
  kind: LedgerEntryKind;
  amountTokens: number;
  delta: BalanceDelta;
  holdId?: string | null;
  /** On a pool's entry for a member's turn: the member. */
  memberId?: string | null;
  /** On the entries of a turn made with an API key: the key. */
  apiKeyId?: string | null;
  paymentId?: string | null;
  actorId?: string | null;
  reason?: string | null;
  metadata?: Record<string, unknown> | null;
}

export type LedgerEntryRow = typeof ledgerEntries.$inferSelect;
export type HoldRow = typeof tokenHolds.$inferSelect;

/** A hold created by a change; its id is chosen by the caller so entries can name it in the same statement. */
export interface NewHold {
  id: string;
  tokens: number;
  purpose: string;
  expiresAt: Date;
  /** On a pool's hold: the member whose turn it is. */
  memberId?: string | null;
  /** The API key whose turn it is. */
  apiKeyId?: string | null;
}

/** Everything one ledger change writes, applied by `applyChange` as a single statement. */
export interface AccountWrite {
  /** The account's new state (period and balances). */
  next: AccountRow;
  /**
   * The version the change was computed from, for an optimistic write without a row lock: the
   * write applies only when the stored account still has it (compare-and-swap). Null when the
   * caller holds the row lock.
   */
  expectedVersion: number | null;
  entries: NewLedgerEntry[];
  /** The account's open_holds the change was computed from: the statement applies the difference. */
  previousOpenHolds: number;
  touchActivity: boolean;
  now: Date;
  openHold?: NewHold | null;
  /** Closes a hold that is still in status `from`. */
  closeHold?: { id: string; from: HoldRow['status']; status: 'SETTLED' | 'VOIDED' | 'EXPIRED' } | null;
  /** A member's usage of this pool as the change leaves it (a member's turn), written by the same statement. */
  member?: { userId: string; usage: MemberUsage } | null;
  /**
   * What the change moves in an API key's usage, applied by the same statement as differences. A
   * change not decided on the key's locked row (`checked` false: the compare-and-swap path, a pool's
   * batch) applies only while the key has no limits of its own.
   */
  apiKey?: KeyUsageChange | null;
}

/** Several changes of one locked account written by one statement (`applyChanges`): each field is theirs together, in order. */
export interface MergedWrite {
  /** The account's state after the last change. */
  next: AccountRow;
  /** The account's open_holds before the first. */
  previousOpenHolds: number;
  entries: NewLedgerEntry[];
  touchActivity: boolean;
  now: Date;
  openHolds: NewHold[];
  closeHolds: NonNullable<AccountWrite['closeHold']>[];
  /** Each member's usage as the last change of theirs left it. */
  members: NonNullable<AccountWrite['member']>[];
  /** What the changes move in API keys' usage, summed per key: only keys without limits of their own (the statement aborts otherwise). */
  apiKeys: KeyUsageChange[];
}

/**
 * Another table's writes made by the same statement as a ledger change, so that both happen or
 * neither does (a chat turn's messages with its settlement). Plain data built by the other
 * domain's repository; what it may read of the ledger statement is `ledgerChange`, nothing else.
 */
export interface AttachedWrite {
  /** Names the prepared statement: one name per SQL text. */
  name: string;
  /** The change applies only where this condition holds (with the compare-and-swap). */
  guard: SQL;
  /** CTEs (`name as (…)`, comma-separated) that follow the ledger's. */
  ctes: SQL;
  /** Columns added to the result row. */
  columns: SQL;
  /** What the attached CTEs must have written when the change applied; the statement aborts otherwise. */
  assertion: SQL;
}

/**
 * The public face of a ledger statement for the writes attached to it: whether the change
 * applied (its account row was written) and the id of its first new entry. The statement's
 * sub-queries behind these stay private to this file.
 */
export const ledgerChange = {
  applied: sql`exists (select 1 from account)`,
  firstEntryId: sql`(select min(id) from appended)`,
} as const;

export interface LockedHold {
  id: string;
  /** The account holding it (a user's, or an organization's pool). */
  accountId: string;
  tokens: number;
  status: HoldRow['status'];
  /** The member whose turn holds a pool's tokens; null on a personal hold. */
  memberId: string | null;
  /** The API key whose turn holds them; null for a turn of the web app. */
  apiKeyId: string | null;
  /** Whether that key has limits of its own (read with a pool's batch; its change then runs alone). */
  apiKeyLimited?: boolean;
}

const accountColumns = {
  userId: tokenAccounts.userId,
  organizationId: tokenAccounts.organizationId,
  periodKey: tokenAccounts.periodKey,
  freeTokens: tokenAccounts.freeTokens,
  purchasedTokens: tokenAccounts.purchasedTokens,
  debtTokens: tokenAccounts.debtTokens,
  heldTokens: tokenAccounts.heldTokens,
  periodCapacityTokens: tokenAccounts.periodCapacityTokens,
  periodConsumedTokens: tokenAccounts.periodConsumedTokens,
  planId: tokenAccounts.planId,
  nextPlanId: tokenAccounts.nextPlanId,
  planPaidThrough: tokenAccounts.planPaidThrough,
  openHolds: tokenAccounts.openHolds,
  version: tokenAccounts.version,
};

const memberUsageColumns = {
  monthlyLimitTokens: organizationMembers.monthlyLimitTokens,
  periodKey: organizationMembers.periodKey,
  heldTokens: organizationMembers.heldTokens,
  consumedTokens: organizationMembers.consumedTokens,
  openHolds: organizationMembers.openHolds,
};

const memberColumns = {
  memberFound: organizationMembers.userId,
  memberLimit: organizationMembers.monthlyLimitTokens,
  memberPeriodKey: organizationMembers.periodKey,
  memberHeld: organizationMembers.heldTokens,
  memberConsumed: organizationMembers.consumedTokens,
  memberOpenHolds: organizationMembers.openHolds,
};

type WithMember = AccountRow & { memberFound: string | null; memberLimit: number | null; memberPeriodKey: string | null; memberHeld: number | null; memberConsumed: number | null; memberOpenHolds: number | null };

/** A member's usage of a pool from its columns as the driver returns them (a bigint may come as a string). */
function memberUsage(limit: string | number | null, periodKey: string | null, held: unknown, consumed: unknown, openHolds: unknown): MemberUsage {
  return { monthlyLimitTokens: limit === null ? null : Number(limit), periodKey, heldTokens: Number(held), consumedTokens: Number(consumed), openHolds: Number(openHolds) };
}

function splitMember(row: WithMember): { account: AccountRow; member: MemberUsage | null } {
  const { memberFound, memberLimit, memberPeriodKey, memberHeld, memberConsumed, memberOpenHolds, ...account } = row;
  const member =
    memberFound === null
      ? null
      : memberUsage(memberLimit, memberPeriodKey, memberHeld, memberConsumed, memberOpenHolds);
  return { account, member };
}

/** The statements that lock and write token accounts, their ledger entries and holds. */
@Injectable()
export class LedgerRepository {
  private findAccountQuery: { execute(values: { userId: string }): Promise<AccountRow[]> } | null = null;
  private findPoolOfMemberQuery: { execute(values: { organizationId: string; memberId: string }): Promise<AccountRow[]> } | null = null;

  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  /** A new account: a user's, or with `organizationId` (its id) an organization's pool. */
  async insertAccount(executor: Executor, userId: string, periodKey: string, planId: string, organizationId: string | null = null): Promise<AccountRow> {
    const [row] = await executor.insert(tokenAccounts).values({ userId, organizationId, periodKey, planId }).returning(accountColumns);
    return row!;
  }

  /**
   * The account as it is now, read outside any transaction (every chat turn reads it). Never call
   * it inside one: on PGlite's single connection it would wait for that transaction forever.
   */
  async findAccount(userId: string): Promise<AccountRow | null> {
    // Built once: the query is the same every time, only the user differs.
    this.findAccountQuery ??= this.db
      .select(accountColumns)
      .from(tokenAccounts)
      .where(eq(tokenAccounts.userId, sql.placeholder('userId')))
      .prepare('ledger_find_account');
    const [row] = await this.findAccountQuery.execute({ userId });
    return row ?? null;
  }

  /** An organization's pool as it is now, read only when `memberId` belongs to the organization (one statement); null otherwise. */
  async findPoolOfMember(organizationId: string, memberId: string): Promise<AccountRow | null> {
    this.findPoolOfMemberQuery ??= this.db
      .select(accountColumns)
      .from(tokenAccounts)
      .innerJoin(organizationMembers, and(eq(organizationMembers.organizationId, tokenAccounts.userId), eq(organizationMembers.userId, sql.placeholder('memberId'))))
      .where(eq(tokenAccounts.userId, sql.placeholder('organizationId')))
      .prepare('ledger_find_pool_of_member');
    const [row] = await this.findPoolOfMemberQuery.execute({ organizationId, memberId });
    return row ?? null;
  }

  /** Locks the account row until the transaction ends: every balance change on one account is serial. */
  async lockAccount(executor: Executor, userId: string): Promise<AccountRow | null> {
    const [row] = await executor
      .select(accountColumns)
      .from(tokenAccounts)
      .where(eq(tokenAccounts.userId, userId))
      .for('update');
    return row ?? null;
  }

  /**
   * Locks an organization's pool and a member's row in one statement (pool first, as every change
   * of the pool's members takes them), with the member's usage; null when either is missing (the
   * member does not belong). Both rows are locked, not only read: a statement that waited for the
   * pool's lock reads them as the transaction before it left them, not as its snapshot had them.
   */
  async lockPoolWithMember(executor: Executor, organizationId: string, memberId: string): Promise<{ account: AccountRow; member: MemberUsage } | null> {
    const [row] = await executor
      .select({ ...accountColumns, ...memberColumns })
      .from(tokenAccounts)
      .innerJoin(organizationMembers, and(eq(organizationMembers.organizationId, tokenAccounts.userId), eq(organizationMembers.userId, sql.placeholder('memberId'))))
      .where(eq(tokenAccounts.userId, sql.placeholder('organizationId')))
      .for('update', { of: [tokenAccounts, organizationMembers] })
      .prepare('ledger_lock_pool_with_member')
      .execute({ organizationId, memberId });
    if (!row) return null;
    const { account, member } = splitMember(row);
    return { account, member: member! };
  }

  /**
   * A member's usage of a pool this transaction holds the lock of, read by a statement of its own
   * (after the lock: it sees what the transaction before it wrote); null when they left.
   */
  async memberOfLockedPool(executor: Executor, organizationId: string, memberId: string): Promise<MemberUsage | null> {
    const [row] = await executor
      .select(memberUsageColumns)
      .from(organizationMembers)
      .where(and(eq(organizationMembers.organizationId, sql.placeholder('organizationId')), eq(organizationMembers.userId, sql.placeholder('memberId'))))
      .prepare('ledger_member_of_locked_pool')
      .execute({ organizationId, memberId });
    return row ? memberUsage(row.monthlyLimitTokens, row.periodKey, row.heldTokens, row.consumedTokens, row.openHolds) : null;
  }

  /**
   * Locks an API key's row (after its account's, which the transaction holds) and reads its usage
   * and limits: the key's level of a turn is decided on what the transaction before left. Null
   * when the key is gone.
   */
  async lockApiKey(executor: Executor, keyId: string): Promise<KeyUsage | null> {
    const [row] = await executor
      .select({
        monthlyLimitTokens: apiKeys.monthlyBudgetTokens,
        periodKey: apiKeys.periodKey,
        heldTokens: apiKeys.heldTokens,
        consumedTokens: apiKeys.consumedTokens,
        openHolds: apiKeys.openHolds,
        concurrentTurns: apiKeys.concurrentTurns,
      })
      .from(apiKeys)
      .where(eq(apiKeys.id, sql.placeholder('keyId')))
      .for('update')
      .prepare('ledger_lock_api_key')
      .execute({ keyId });
    return row ? { ...memberUsage(row.monthlyLimitTokens, row.periodKey, row.heldTokens, row.consumedTokens, row.openHolds), concurrentTurns: row.concurrentTurns } : null;
  }

  /** One trivial statement: fails when the transaction can no longer commit (a statement of it failed). */
  async ping(executor: Executor): Promise<void> {
    await executor.execute(sql`select 1`);
  }

  /**
   * For a batch of a pool's changes, once the transaction holds the pool's lock, in one statement:
   * the holds named (locked, as every change of a hold locks it after its account; holds of other
   * accounts are left out) and the usage of the members named or whose turns the holds are.
   */
  async holdsAndMembersOfLockedPool(
    executor: Executor,
    organizationId: string,
    holdIds: string[],
    memberIds: string[],
  ): Promise<{ holds: Map<string, LockedHold>; members: Map<string, MemberUsage> }> {
    const holds = new Map<string, LockedHold>();
    const members = new Map<string, MemberUsage>();
    type Row = {
      kind: 'hold' | 'member';
      id: string;
      tokens: string | number | null;
      status: HoldRow['status'] | null;
      member_id: string | null;
      api_key_id: string | null;
      key_limited: boolean | null;
      monthly_limit_tokens: string | number | null;
      period_key: string | null;
      held_tokens: string | number | null;
      consumed_tokens: string | number | null;
      open_holds: number | null;
    };
    const rows = rowsOf<Row>(
      await executePrepared(executor, 'ledger_holds_and_members_of_locked_pool', sql`
        with held as (
          select id, tokens, status, member_id, api_key_id,
                 exists (select 1 from api_keys where api_keys.id = token_holds.api_key_id and ${KEY_HAS_LIMITS}) as key_limited
          from token_holds
          where user_id = ${organizationId}::uuid
            and id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(holdIds)}::jsonb))
          order by id
          for update
        )
        select 'hold' as kind, id::text as id, tokens, status, member_id::text as member_id, api_key_id::text as api_key_id, key_limited, null::bigint as monthly_limit_tokens,
               null::text as period_key, null::bigint as held_tokens, null::bigint as consumed_tokens, null::int as open_holds
        from held
        union all
        select 'member', user_id::text, null, null, null, null, null, monthly_limit_tokens, period_key, held_tokens, consumed_tokens, open_holds
        from organization_members
        where organization_id = ${organizationId}::uuid
          and (user_id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(memberIds)}::jsonb))
               or user_id in (select member_id from held))`),
    );
    for (const row of rows) {
      if (row.kind === 'hold') {
        holds.set(row.id, { id: row.id, accountId: organizationId, tokens: Number(row.tokens), status: row.status!, memberId: row.member_id, apiKeyId: row.api_key_id, apiKeyLimited: row.key_limited === true });
      } else {
        members.set(row.id, memberUsage(row.monthly_limit_tokens, row.period_key, row.held_tokens, row.consumed_tokens, row.open_holds));
      }
    }
    return { holds, members };
  }

  /**
   * Locks a hold's account and the hold (in that order, as every other change does: account
   * first) in one statement, with the usage of the member whose turn it is (a pool's hold);
   * null when the hold does not exist.
   */
  async lockAccountWithHold(executor: Executor, holdId: string): Promise<{ account: AccountRow; hold: LockedHold } | null> {
    const [row] = await executor
      .select({ ...accountColumns, holdTokens: tokenHolds.tokens, holdStatus: tokenHolds.status, holdMemberId: tokenHolds.memberId, holdApiKeyId: tokenHolds.apiKeyId })
      .from(tokenAccounts)
      .innerJoin(tokenHolds, eq(tokenHolds.userId, tokenAccounts.userId))
      .where(eq(tokenHolds.id, sql.placeholder('holdId')))
      .for('update')
      .prepare('ledger_lock_account_with_hold')
      .execute({ holdId });
    if (!row) return null;
    const { holdTokens, holdStatus, holdMemberId, holdApiKeyId, ...account } = row;
    return { account, hold: { id: holdId, accountId: account.userId, tokens: holdTokens, status: holdStatus, memberId: holdMemberId, apiKeyId: holdApiKeyId } };
  }

  /**
   * Applies one ledger change in a single statement (a data-modifying CTE): stores the account's
   * new balances, appends the entries and opens or closes a hold. With `expectedVersion`, nothing is
   * written unless the stored account still equals it; returns whether it was applied and the
   * ids of the appended entries, in order. `attached` adds another table's writes to the statement.
   * A change that applied but did not write all it was asked to (its hold, its entries, the
   * attached rows) aborts the statement with a `ledger invariant` error, writing nothing.
   */
  async applyChange(
    executor: Executor,
    write: AccountWrite,
    attached: AttachedWrite | null = null,
  ): Promise<{ applied: boolean; version: number; entryIds: number[]; attached: Record<string, unknown> | null }> {
    const { next, expectedVersion, now } = write;
    const at = now.toISOString();
    const entries = entriesJson(write.entries);
    const open = write.openHold ?? null;
    const close = write.closeHold ?? null;
    const member = write.member ?? null;
    const key = write.apiKey ?? null;
    // Without the row lock, the hold to close must still be as planned: the version says so
    // (every change of a hold bumps it), and the statement checks it too. The assertion at the
    // end catches what a check against the statement's snapshot cannot: the statement aborts,
    // and rolls back everything it wrote, unless it wrote all it was asked to.
    const compare =
      expectedVersion === null
        ? sql``
        : sql`and version = ${expectedVersion}
              and (${close?.id ?? null}::uuid is null or exists (select 1 from token_holds where id = ${close?.id ?? null}::uuid and status = ${close?.from ?? null}::text))`;
    const guard = attached ? sql`and ${attached.guard}` : sql``;
    // A key with limits of its own is checked under its lock: a change not decided on its row (the
    // compare-and-swap, a pool's batch) does not apply to its turns.
    const keyGuard = key && !key.checked ? sql`and not exists (select 1 from api_keys where id = ${key.id}::uuid and ${KEY_HAS_LIMITS})` : sql``;
    const rows = rowsOf<{ applied: number; version: number | string | null; entry_ids: number[] | string }>(
      // Prepared: planning this statement costs PostgreSQL more than running it. One name per SQL text.
      await executePrepared(executor, `ledger_apply_${expectedVersion === null ? 'locked' : 'cas'}_${write.touchActivity ? 'active' : 'quiet'}${member ? '_member' : ''}${key ? (key.checked ? '_key' : '_key_unchecked') : ''}${attached ? `_${attached.name}` : ''}`, sql`
        with account as (
          update token_accounts
          set ${accountSet(next, write.previousOpenHolds, at, write.touchActivity)}
          where user_id = ${next.userId} ${compare} ${guard} ${keyGuard}
          returning user_id, version
        ), opened as (
          insert into token_holds (id, user_id, member_id, api_key_id, tokens, period_key, purpose, expires_at, created_at)
          select ${open?.id ?? null}::uuid, user_id, ${open?.memberId ?? null}::uuid, ${open?.apiKeyId ?? null}::uuid, ${open?.tokens ?? null}::bigint, ${next.periodKey}, ${open?.purpose ?? null}::text,
                 ${open ? open.expiresAt.toISOString() : null}::timestamptz, ${at}::timestamptz
          from account where ${open !== null}::boolean
          returning id
        ), closed as (
          update token_holds set status = ${close?.status ?? null}::text, closed_at = ${at}::timestamptz
          from account where token_holds.id = ${close?.id ?? null}::uuid and token_holds.status = ${close?.from ?? null}::text
          returning token_holds.id
        ), appended as (${appendEntries(entries, next.periodKey, at)})${
          member
            ? sql`, member_usage as (
          update organization_members
          set period_key = ${member.usage.periodKey}::text, held_tokens = ${member.usage.heldTokens}::bigint,
              consumed_tokens = ${member.usage.consumedTokens}::bigint, open_holds = ${member.usage.openHolds}::int
          from account where organization_members.organization_id = account.user_id and organization_members.user_id = ${member.userId}::uuid
          returning 1
        )`
            : sql``
        }${
          key
            ? sql`, key_usage as (
          update api_keys set ${keyUsageSet(sql`${key.heldDelta}::bigint`, sql`${key.consumedDelta}::bigint`, sql`${key.openHoldsDelta}::int`, next.periodKey)}
          from account where api_keys.id = ${key.id}::uuid
          returning 1
        )`
            : sql``
        }${attached ? sql`, ${attached.ctes}` : sql``}
        select (select count(*) from account)::int as applied, (select version from account) as version,
               coalesce((select json_agg(id order by id) from appended), '[]'::json) as entry_ids,
               ledger_assert(
                 not exists (select 1 from account)
                   or ((select count(*) from opened) = ${open ? 1 : 0}::int and (select count(*) from closed) = ${close ? 1 : 0}::int
                       and (select count(*) from appended) = ${write.entries.length}::int
                       ${member ? sql`and (select count(*) from member_usage) = 1` : sql``}
                       ${key ? sql`and (select count(*) from key_usage) = 1` : sql``}
                       ${attached ? sql`and ${attached.assertion}` : sql``}),
                 'ledger write incomplete for account ' || ${next.userId}::text
               ) as complete
               ${attached ? sql`, ${attached.columns}` : sql``}
      `),
    );
    const row = rows[0]!;
    const applied = Number(row.applied) === 1;
    const ids = typeof row.entry_ids === 'string' ? (JSON.parse(row.entry_ids) as number[]) : row.entry_ids;
    return { applied, version: Number(row.version), entryIds: ids.map(Number), attached: attached ? row : null };
  }

  /**
   * Applies several changes of one account this transaction holds the lock of, planned one after
   * the other, in a single statement: the account's state after the last, every change's entries
   * in order, the holds they open and close, and the last usage of each member they changed (a
   * pool's batch, `LedgerWriter.changePools`). Aborts, writing nothing, unless it wrote all of it.
   */
  async applyChanges(executor: Executor, write: MergedWrite): Promise<{ version: number; entryIds: number[] }> {
    const { next, now } = write;
    const at = now.toISOString();
    const opened = JSON.stringify(write.openHolds.map((hold) => ({ id: hold.id, member_id: hold.memberId ?? null, api_key_id: hold.apiKeyId ?? null, tokens: hold.tokens, purpose: hold.purpose, expires_at: hold.expiresAt.toISOString() })));
    const closed = JSON.stringify(write.closeHolds.map((hold) => ({ id: hold.id, from_status: hold.from, status: hold.status })));
    const members = JSON.stringify(
      write.members.map(({ userId, usage }) => ({ user_id: userId, period_key: usage.periodKey, held_tokens: usage.heldTokens, consumed_tokens: usage.consumedTokens, open_holds: usage.openHolds })),
    );
    const keys = JSON.stringify(write.apiKeys.map((key) => ({ id: key.id, held_delta: key.heldDelta, consumed_delta: key.consumedDelta, open_holds_delta: key.openHoldsDelta })));
    const rows = rowsOf<{ version: number | string | null; entry_ids: number[] | string }>(
      await executePrepared(executor, `ledger_apply_many_${write.touchActivity ? 'active' : 'quiet'}`, sql`
        with account as (
          update token_accounts
          set ${accountSet(next, write.previousOpenHolds, at, write.touchActivity)}
          where user_id = ${next.userId}
          returning user_id, version
        ), opened as (
          insert into token_holds (id, user_id, member_id, api_key_id, tokens, period_key, purpose, expires_at, created_at)
          select h.id, account.user_id, h.member_id, h.api_key_id, h.tokens, ${next.periodKey}, h.purpose, h.expires_at, ${at}::timestamptz
          from account, jsonb_to_recordset(${opened}::jsonb) as h(id uuid, member_id uuid, api_key_id uuid, tokens bigint, purpose text, expires_at timestamptz)
          returning id
        ), closed as (
          update token_holds set status = c.status, closed_at = ${at}::timestamptz
          from account, jsonb_to_recordset(${closed}::jsonb) as c(id uuid, from_status text, status text)
          where token_holds.id = c.id and token_holds.user_id = account.user_id and token_holds.status = c.from_status
          returning token_holds.id
        ), appended as (${appendEntries(entriesJson(write.entries), next.periodKey, at)}
        ), member_usage as (
          update organization_members
          set period_key = m.period_key, held_tokens = m.held_tokens, consumed_tokens = m.consumed_tokens, open_holds = m.open_holds
          from account, jsonb_to_recordset(${members}::jsonb) as m(user_id uuid, period_key text, held_tokens bigint, consumed_tokens bigint, open_holds int)
          where organization_members.organization_id = account.user_id and organization_members.user_id = m.user_id
          returning 1
        ), key_usage as (
          update api_keys set ${keyUsageSet(sql`k.held_delta`, sql`k.consumed_delta`, sql`k.open_holds_delta`, next.periodKey)}
          from account, jsonb_to_recordset(${keys}::jsonb) as k(id uuid, held_delta bigint, consumed_delta bigint, open_holds_delta int)
          where api_keys.id = k.id and not (${KEY_HAS_LIMITS})
          returning 1
        )
        select (select version from account) as version,
               coalesce((select json_agg(id order by id) from appended), '[]'::json) as entry_ids,
               ledger_assert(
                 (select count(*) from account) = 1
                   and (select count(*) from opened) = ${write.openHolds.length}::int and (select count(*) from closed) = ${write.closeHolds.length}::int
                   and (select count(*) from appended) = ${write.entries.length}::int and (select count(*) from member_usage) = ${write.members.length}::int
                   and (select count(*) from key_usage) = ${write.apiKeys.length}::int,
                 'ledger write incomplete for account ' || ${next.userId}::text
               ) as complete
      `),
    );
    const row = rows[0]!;
    const ids = typeof row.entry_ids === 'string' ? (JSON.parse(row.entry_ids) as number[]) : row.entry_ids;
    return { version: Number(row.version), entryIds: ids.map(Number) };
  }

  /** Tokens the period's allowance came to: its monthly grant and the upgrades' top-ups. */
  async allowanceGranted(executor: Executor, userId: string, periodKey: string): Promise<number> {
    const rows = rowsOf<{ granted: string | number | null }>(
      await executor.execute(sql`
        select (select coalesce(sum(amount_tokens), 0) from ledger_entries
                where user_id = ${userId} and period_key = ${periodKey} and kind = 'MONTHLY_GRANT')
             + (select coalesce(sum(amount_tokens), 0) from ledger_entries
                where user_id = ${userId} and period_key = ${periodKey} and kind = 'PLAN_CHANGE') as granted`),
    );
    return Number(rows[0]?.granted ?? 0);
  }

  async findStaleAccounts(executor: Executor, periodKey: string, limit: number): Promise<string[]> {
    const rows = await executor
      .select({ userId: tokenAccounts.userId })
      .from(tokenAccounts)
      .where(lt(tokenAccounts.periodKey, periodKey))
      .limit(limit);
    return rows.map((row) => row.userId);
  }
}

/** The ledger entries of a statement, as the JSON its `appended` CTE reads. */
function entriesJson(entries: NewLedgerEntry[]): string {
  return JSON.stringify(
    entries.map((entry, index) => ({
      ord: index,
      kind: entry.kind,
      amount_tokens: entry.amountTokens,
      free_delta: entry.delta.freeTokens,
      purchased_delta: entry.delta.purchasedTokens,
      debt_delta: entry.delta.debtTokens,
      held_delta: entry.delta.heldTokens,
      capacity_delta: entry.delta.periodCapacityTokens,
      consumed_delta: entry.delta.periodConsumedTokens,
      hold_id: entry.holdId ?? null,
      member_id: entry.memberId ?? null,
      api_key_id: entry.apiKeyId ?? null,
      payment_id: entry.paymentId ?? null,
      actor_id: entry.actorId ?? null,
      reason: entry.reason ?? null,
      metadata: entry.metadata ?? null,
    })),
  );
}

/** The `set` of an account's row in a ledger statement: its new state, the open holds as a difference. */
function accountSet(next: AccountRow, previousOpenHolds: number, at: string, touchActivity: boolean): SQL {
  const activity = touchActivity ? sql`, last_active_at = ${at}::timestamptz` : sql``;
  return sql`period_key = ${next.periodKey}, free_tokens = ${next.freeTokens}, purchased_tokens = ${next.purchasedTokens},
              debt_tokens = ${next.debtTokens}, held_tokens = ${next.heldTokens},
              period_capacity_tokens = ${next.periodCapacityTokens}, period_consumed_tokens = ${next.periodConsumedTokens},
              plan_id = ${next.planId}, next_plan_id = ${next.nextPlanId}::text, plan_paid_through = ${next.planPaidThrough}::text,
              -- relative, and never below 0: a hold closed by a build from before the counter (0013) cannot make it fail
              open_holds = greatest(0, open_holds + ${next.openHolds - previousOpenHolds}::int),
              version = version + 1, updated_at = ${at}::timestamptz ${activity}`;
}

/** The `appended` CTE of a ledger statement: the entries (JSON of `entriesJson`) on the `account` CTE's row, in order. */
function appendEntries(entries: string, periodKey: string, at: string): SQL {
  return sql`
          insert into ledger_entries (user_id, member_id, api_key_id, period_key, kind, amount_tokens, free_delta, purchased_delta, debt_delta, held_delta,
                                      capacity_delta, consumed_delta, hold_id, payment_id, actor_id, reason, metadata, created_at)
          select account.user_id, e.member_id, e.api_key_id, ${periodKey}, e.kind, e.amount_tokens, e.free_delta, e.purchased_delta, e.debt_delta, e.held_delta,
                 e.capacity_delta, e.consumed_delta, e.hold_id, e.payment_id, e.actor_id, e.reason, e.metadata, ${at}::timestamptz
          from account,
               jsonb_to_recordset(${entries}::jsonb) as e(ord int, kind text, amount_tokens bigint, free_delta bigint,
                 purchased_delta bigint, debt_delta bigint, held_delta bigint, capacity_delta bigint, consumed_delta bigint,
                 hold_id uuid, member_id uuid, api_key_id uuid, payment_id uuid, actor_id uuid, reason text, metadata jsonb)
          order by e.ord
          returning id`;
}

/** Whether an `api_keys` row has limits of its own (a budget or a cap on turns in flight): its turns are checked under the account's lock. */
const KEY_HAS_LIMITS = sql.raw('(api_keys.monthly_budget_tokens is not null or api_keys.concurrent_turns is not null)');

/**
 * The `set` of a key's usage in a ledger statement, as differences (right whatever else wrote the
 * row meanwhile): what is consumed counts in `periodKey` (the account's), from 0 in a new one;
 * held tokens and open holds carry over, as a member's do.
 */
function keyUsageSet(heldDelta: SQL, consumedDelta: SQL, openHoldsDelta: SQL, periodKey: string): SQL {
  return sql`consumed_tokens = case when api_keys.period_key = ${periodKey}::text then api_keys.consumed_tokens else 0 end + ${consumedDelta},
             period_key = ${periodKey}::text, held_tokens = api_keys.held_tokens + ${heldDelta}, open_holds = api_keys.open_holds + ${openHoldsDelta}`;
}
