import type { OrganizationRole } from '../database/schema-organizations.js';

/**
 * Who may do what in an organization, pure. Owners do everything; admins run the members
 * (invite members, make a member an admin or back, remove members and admins) but never touch
 * an owner; members only belong. An organization always keeps at least one owner.
 */

export function managesMembers(role: OrganizationRole): boolean {
  return role === 'OWNER' || role === 'ADMIN';
}

/** The roles an invitation from `actor` may give: an admin invites members, an owner admins too. */
export function mayInvite(actor: OrganizationRole, role: OrganizationRole): boolean {
  if (role === 'OWNER') return false;
  return actor === 'OWNER' || (actor === 'ADMIN' && role === 'MEMBER');
}

/** Whether `actor` may move a member from `from` to `to` (an owner is made, or unmade, only by an owner). */
export function mayChangeRole(actor: OrganizationRole, from: OrganizationRole, to: OrganizationRole): boolean {
  if (actor === 'OWNER') return true;
  return actor === 'ADMIN' && from !== 'OWNER' && to !== 'OWNER';
}

/** Whether `actor` may remove a member whose role is `target` (anyone may leave: see `leavesOwnerless`). */
export function mayRemove(actor: OrganizationRole, target: OrganizationRole): boolean {
  if (actor === 'OWNER') return true;
  return actor === 'ADMIN' && target !== 'OWNER';
}

/** Whether `actor` may set the monthly limit of a member whose role is `target`: as with removing, an admin never touches an owner. */
export function maySetLimit(actor: OrganizationRole, target: OrganizationRole): boolean {
  return mayRemove(actor, target);
}

/** What the caller may do to one member: the roles they may give (the member's own left out), whether they may remove them, and whether they may set their limit. */
export function actionsOn(
  actor: OrganizationRole,
  actorId: string,
  member: { userId: string; role: OrganizationRole },
): { assignableRoles: OrganizationRole[]; removable: boolean; limitEditable: boolean } {
  const roles: OrganizationRole[] = ['OWNER', 'ADMIN', 'MEMBER'];
  return {
    assignableRoles: managesMembers(actor) ? roles.filter((role) => role !== member.role && mayChangeRole(actor, member.role, role)) : [],
    removable: member.userId === actorId || (managesMembers(actor) && mayRemove(actor, member.role)),
    limitEditable: managesMembers(actor) && maySetLimit(actor, member.role),
  };
}

/** The roles an invitation from `actor` may give. */
export function invitableRoles(actor: OrganizationRole): ('ADMIN' | 'MEMBER')[] {
  return (['ADMIN', 'MEMBER'] as const).filter((role) => mayInvite(actor, role));
}

/** Whether taking the role of OWNER from one of `owners` owners would leave none. */
export function leavesOwnerless(targetRole: OrganizationRole, newRole: OrganizationRole | null, owners: number): boolean {
  return targetRole === 'OWNER' && newRole !== 'OWNER' && owners <= 1;
}

/** Whether `actor` may read the use of the pool by the member `memberId`: owners and admins anyone's, a member their own. */
export function mayReadUsageOf(actor: OrganizationRole, actorId: string, memberId: string): boolean {
  return managesMembers(actor) || actorId === memberId;
}
