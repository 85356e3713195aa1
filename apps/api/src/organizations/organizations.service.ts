import { ApiKeyCache } from '../api-keys/api-key-cache.js';
import { newSecret, secretHash } from '../common/secret-token.js';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { collapseWhitespace } from '../common/text.js';
import { AlreadyMemberError, EmailNotVerifiedError, ForbiddenError, InvitationInvalidError, LastOwnerError, NotFoundError } from '../common/errors.js';
import type { AuthUser } from '../auth/auth.decorators.js';
import type { Executor, Transaction } from '../database/database.js';
import type { OrganizationRole } from '../database/schema-organizations.js';
import { actionsOn, invitableRoles, leavesOwnerless, managesMembers, mayChangeRole, mayInvite, mayRemove, maySetLimit } from './organization-rules.js';
import type { Locale } from '@consult-on/quota-policy';
import { AccountsService } from '../quota/accounts/accounts.service.js';
import { MemberLimitsService } from '../quota/members/member-limits.service.js';
import type { LedgerPageView } from '../quota/usage/usage.dto.js';
import { UsageService } from '../quota/usage/usage.service.js';
import type {
  AdminOrganizationDetailView,
  AdminOrganizationPageView,
  AdminOrganizationView,
  CreatedInvitationView,
  InvitationView,
  MembershipView,
  MemberView,
  OrganizationSummaryView,
  OrganizationUsageView,
  OrganizationView,
} from './organizations.dto.js';
import { OrganizationsRepository, type AdminOrganizationRow, type InvitationRow, type MemberRow } from './organizations.repository.js';

const DEFAULT_INVITATION_HOURS = 168;



function invitationView(row: InvitationRow): InvitationView {
  return { id: row.id, role: row.role, expiresAt: row.expiresAt.toISOString(), createdAt: row.createdAt.toISOString() };
}

/**
 * Organizations and their people (issue 15): a user creates one and owns it; owners and admins
 * invite with one-time links, change roles and remove members (rules: organization-rules.ts).
 * To anyone outside it, an organization does not exist (404); inside, a member lacking the role
 * gets 403. Every change of membership locks the organization row, so it always keeps an owner.
 */
@Injectable()
export class OrganizationsService {
  constructor(
    private readonly repository: OrganizationsRepository,
    private readonly accounts: AccountsService,
    private readonly limits: MemberLimitsService,
    private readonly usage: UsageService,
    private readonly keyCache: ApiKeyCache,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Creates an organization with its owner and its token pool (on the free plan, with this period's allowance). */
  async create(user: Pick<AuthUser, 'id' | 'verificationPending'>, name: string): Promise<OrganizationView> {
    // A pool comes with its plan's allowance: an address not yet verified does not open one.
    if (user.verificationPending) throw new EmailNotVerifiedError();
    const userId = user.id;
    const now = this.clock.now();
    const row = await this.repository.db.transaction(async (tx) => {
      const organization = await this.repository.insert(tx, collapseWhitespace(name), userId, now);
      await this.accounts.openAccount(tx, organization.id, organization.id);
      await this.limits.join(tx, organization.id, userId);
      return organization;
    });
    return this.get(userId, row.id);
  }

  /** The pool's usage (for every member: it is what their turns draw on) and the caller's own use of it. */
  async usageOf(userId: string, organizationId: string, locale: Locale): Promise<OrganizationUsageView> {
    await this.roleOrNotFound(this.repository.db, organizationId, userId);
    const [pool, member] = await Promise.all([this.usage.usage(organizationId, locale), this.limits.figuresOf(organizationId, userId)]);
    if (!member) throw new NotFoundError();
    return { pool, member };
  }

  /** The pool's ledger, newest first (owners and admins). */
  async ledgerOf(userId: string, organizationId: string, page: { limit?: number; before?: number }): Promise<LedgerPageView> {
    await this.asManager(this.repository.db, organizationId, userId);
    return this.usage.history(organizationId, page, undefined, userId);
  }

  /** Sets a member's monthly limit in the pool (owners and admins; null: none). */
  async setLimit(userId: string, organizationId: string, memberId: string, monthlyLimitTokens: number | null): Promise<OrganizationView> {
    await this.repository.db.transaction(async (tx) => {
      const actor = await this.lockAsMember(tx, organizationId, userId);
      if (!managesMembers(actor)) throw new ForbiddenError();
      const target = await this.repository.roleOf(tx, organizationId, memberId);
      if (!target) throw new NotFoundError();
      if (!maySetLimit(actor, target)) throw new ForbiddenError();
      if (!(await this.limits.setLimit(tx, organizationId, memberId, monthlyLimitTokens))) throw new NotFoundError();
    });
    return this.get(userId, organizationId);
  }

  // ---- the service's admins: every organization, its pool and its members' use of it (never their conversations) ----

  async adminList(query: { query?: string; page?: number; pageSize?: number }): Promise<AdminOrganizationPageView> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const { rows, total } = await this.repository.adminPage({ query: query.query?.trim() || undefined, offset: (page - 1) * pageSize, limit: pageSize }, this.accounts.currentPeriodKey());
    return { items: rows.map((row) => this.adminView(row)), total, page, pageSize };
  }

  async adminGet(organizationId: string, locale: Locale): Promise<AdminOrganizationDetailView> {
    const { rows } = await this.repository.adminPage({ id: organizationId, offset: 0, limit: 1 }, this.accounts.currentPeriodKey());
    if (!rows[0]) throw new NotFoundError();
    const [pool, members] = await Promise.all([this.usage.usage(organizationId, locale), this.repository.members(this.repository.db, organizationId)]);
    return {
      organization: this.adminView(rows[0]),
      pool,
      members: members.map((row) => ({ userId: row.userId, email: row.email, role: row.role, usage: this.limits.figures(row), joinedAt: row.joinedAt.toISOString() })),
    };
  }

  private adminView(row: AdminOrganizationRow): AdminOrganizationView {
    const usage = this.accounts.evaluate({ periodConsumedTokens: row.usedTokens, periodCapacityTokens: row.capacityTokens });
    return {
      id: row.id,
      name: row.name,
      planId: row.planId,
      members: row.members,
      usedTokens: row.usedTokens,
      capacityTokens: row.capacityTokens,
      usagePercent: usage.usagePercent,
      level: usage.level,
      createdAt: row.createdAt.toISOString(),
    };
  }

  private memberView(row: MemberRow, actor: OrganizationRole, actorId: string): MemberView {
    return {
      userId: row.userId,
      email: row.email,
      role: row.role,
      monthlyLimitTokens: row.monthlyLimitTokens,
      usage: this.limits.figures(row),
      joinedAt: row.joinedAt.toISOString(),
      ...actionsOn(actor, actorId, row),
    };
  }

  async list(userId: string): Promise<OrganizationSummaryView[]> {
    const rows = await this.repository.ofUser(userId);
    return rows.map((row) => ({ id: row.id, name: row.name, role: row.role, members: Number(row.members), createdAt: row.createdAt.toISOString() }));
  }

  async get(userId: string, organizationId: string): Promise<OrganizationView> {
    const db = this.repository.db;
    const role = await this.roleOrNotFound(db, organizationId, userId);
    const organization = (await this.repository.find(db, organizationId))!;
    const members = managesMembers(role) ? (await this.repository.members(db, organizationId)).map((row) => this.memberView(row, role, userId)) : null;
    return { id: organization.id, name: organization.name, role, createdAt: organization.createdAt.toISOString(), members, invitableRoles: invitableRoles(role) };
  }

  async rename(userId: string, organizationId: string, name: string): Promise<OrganizationView> {
    await this.asManager(this.repository.db, organizationId, userId);
    await this.repository.rename(this.repository.db, organizationId, collapseWhitespace(name), this.clock.now());
    return this.get(userId, organizationId);
  }

  /** A one-time invitation link: the token is returned once, only its hash is kept. */
  async invite(userId: string, organizationId: string, role: 'ADMIN' | 'MEMBER', hours = DEFAULT_INVITATION_HOURS): Promise<CreatedInvitationView> {
    const actor = await this.asManager(this.repository.db, organizationId, userId);
    if (!mayInvite(actor, role)) throw new ForbiddenError();
    const token = newSecret(24);
    const now = this.clock.now();
    const row = await this.repository.insertInvitation(this.repository.db, {
      organizationId,
      tokenHash: secretHash(token),
      role,
      createdBy: userId,
      expiresAt: new Date(now.getTime() + hours * 3_600_000),
      createdAt: now,
    });
    return { ...invitationView(row), token, path: `/organizations/join/?token=${token}` };
  }

  async invitations(userId: string, organizationId: string): Promise<InvitationView[]> {
    await this.asManager(this.repository.db, organizationId, userId);
    return (await this.repository.openInvitations(this.repository.db, organizationId, this.clock.now())).map(invitationView);
  }

  async revoke(userId: string, organizationId: string, invitationId: string): Promise<void> {
    await this.asManager(this.repository.db, organizationId, userId);
    if (!(await this.repository.revoke(this.repository.db, organizationId, invitationId, this.clock.now()))) throw new NotFoundError();
  }

  /** Joins the organization of an invitation: once, before it expires, unless it was revoked. */
  async accept(userId: string, token: string): Promise<MembershipView> {
    const now = this.clock.now();
    return this.repository.db.transaction(async (tx) => {
      const invitation = await this.repository.lockInvitationByHash(tx, secretHash(token));
      if (!invitation || invitation.acceptedAt || invitation.revokedAt || invitation.expiresAt <= now) throw new InvitationInvalidError();
      const organization = await this.repository.lock(tx, invitation.organizationId);
      if (!organization) throw new InvitationInvalidError();
      if (!(await this.repository.addMember(tx, organization.id, userId, invitation.role, now))) throw new AlreadyMemberError();
      await this.limits.join(tx, organization.id, userId);
      await this.repository.markAccepted(tx, invitation.id, userId, now);
      return { organizationId: organization.id, name: organization.name, role: invitation.role };
    });
  }

  async changeRole(userId: string, organizationId: string, memberId: string, role: OrganizationRole): Promise<OrganizationView> {
    await this.repository.db.transaction(async (tx) => {
      const actor = await this.lockAsMember(tx, organizationId, userId);
      const current = await this.repository.roleOf(tx, organizationId, memberId);
      if (!managesMembers(actor)) throw new ForbiddenError();
      if (!current) throw new NotFoundError();
      if (!mayChangeRole(actor, current, role)) throw new ForbiddenError();
      if (leavesOwnerless(current, role, await this.repository.owners(tx, organizationId))) throw new LastOwnerError();
      await this.repository.setRole(tx, organizationId, memberId, role);
      // A plain member manages no keys: the ones they made stop for good (made an admin again, they stay stopped).
      if (role === 'MEMBER') await this.repository.revokeKeysOf(tx, organizationId, memberId, this.clock.now());
    });
    // What this instance read of keys may name the old role: read again (other instances, within a second).
    this.keyCache.clear();
    return this.get(userId, organizationId);
  }

  /** Removes a member (owners and admins), or the caller themself (anyone may leave) — never the last owner. */
  async removeMember(userId: string, organizationId: string, memberId: string): Promise<void> {
    await this.repository.db.transaction(async (tx) => {
      const actor = await this.lockAsMember(tx, organizationId, userId);
      const target = memberId === userId ? actor : await this.repository.roleOf(tx, organizationId, memberId);
      if (memberId !== userId && !managesMembers(actor)) throw new ForbiddenError();
      if (!target) throw new NotFoundError();
      if (memberId !== userId && !mayRemove(actor, target)) throw new ForbiddenError();
      if (leavesOwnerless(target, null, await this.repository.owners(tx, organizationId))) throw new LastOwnerError();
      // Their turns in flight lose their holds, and no new one starts before the removal commits.
      await this.limits.leave(tx, organizationId, memberId);
      await this.repository.removeMember(tx, organizationId, memberId);
      await this.repository.revokeKeysOf(tx, organizationId, memberId, this.clock.now());
    });
    this.keyCache.clear();
  }

  /** Refuses anyone but the organization's owners and admins (404 to strangers, 403 to plain members): who may buy its tokens. */
  async assertManager(userId: string, organizationId: string): Promise<void> {
    await this.asManager(this.repository.db, organizationId, userId);
  }

  /** The caller's role; an organization they are not in does not exist for them. */
  private async roleOrNotFound(executor: Executor, organizationId: string, userId: string): Promise<OrganizationRole> {
    const role = await this.repository.roleOf(executor, organizationId, userId);
    if (!role) throw new NotFoundError();
    return role;
  }

  private async asManager(executor: Executor, organizationId: string, userId: string): Promise<OrganizationRole> {
    const role = await this.roleOrNotFound(executor, organizationId, userId);
    if (!managesMembers(role)) throw new ForbiddenError();
    return role;
  }

  /** Locks the organization, then reads the caller's role under that lock. */
  private async lockAsMember(tx: Transaction, organizationId: string, userId: string): Promise<OrganizationRole> {
    const organization = await this.repository.lock(tx, organizationId);
    if (!organization) throw new NotFoundError();
    return this.roleOrNotFound(tx, organizationId, userId);
  }
}
