'use client';

/**
 * The workspace (작업 공간) a person chats in: their own account, or an organization they belong
 * to, whose pool (and their limit in it) the turns are charged to. The choice is kept per user in
 * localStorage; one that names an organization the person no longer belongs to falls back to
 * their own account. The usage card, the banner, the chat and its cost preview follow it.
 */
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import { api } from './api';
import { useAuth } from './auth';
import type { UsageView } from '@consult-on/api-contract';
import { memberLimitReached, type MemberUsageView, type OrganizationRole, type OrganizationSummaryView } from './organizations';
import { queryKeys } from './queries';

export type Workspace = { kind: 'personal' } | { kind: 'organization'; id: string; name: string; role: OrganizationRole };

export const PERSONAL: Workspace = { kind: 'personal' };

/** The organization a turn or a list names: null for one's own account. */
export function workspaceOrganizationId(workspace: Workspace): string | null {
  return workspace.kind === 'organization' ? workspace.id : null;
}

/** The localStorage key of a user's choice (one per user, so that two accounts in one browser keep theirs). */
export function workspaceStorageKey(userId: string): string {
  return `consulton.workspace.${userId}`;
}

/**
 * The workspace a stored choice stands for, given the organizations the person belongs to:
 * the organization when it is still among them, else their own account.
 */
export function resolveWorkspace(storedId: string | null, organizations: readonly Pick<OrganizationSummaryView, 'id' | 'name' | 'role'>[]): Workspace {
  const organization = storedId ? organizations.find((candidate) => candidate.id === storedId) : undefined;
  return organization ? { kind: 'organization', id: organization.id, name: organization.name, role: organization.role } : PERSONAL;
}

// ---- while a turn is being answered the switcher waits: switching would cut the answer off ----

let turnInFlight = false;
const lockListeners = new Set<() => void>();

/** Set by the chat while a turn is being answered (and cleared when it ends or the chat closes). */
export function setTurnInFlight(value: boolean): void {
  if (turnInFlight === value) return;
  turnInFlight = value;
  for (const listener of lockListeners) listener();
}

/** Whether the workspace may not be switched now (a turn is being answered). */
export function useTurnInFlight(): boolean {
  return useSyncExternalStore(
    (listener) => {
      lockListeners.add(listener);
      return () => lockListeners.delete(listener);
    },
    () => turnInFlight,
    () => false,
  );
}

// ---- the stored choice, shared by every component of the tab (and other tabs, through `storage`) ----

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('storage', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', listener);
  };
}

function readStored(userId: string | undefined): string | null {
  if (!userId) return null;
  try {
    return window.localStorage.getItem(workspaceStorageKey(userId));
  } catch {
    return null;
  }
}

function writeStored(userId: string, organizationId: string | null): void {
  try {
    if (organizationId) window.localStorage.setItem(workspaceStorageKey(userId), organizationId);
    else window.localStorage.removeItem(workspaceStorageKey(userId));
  } catch {
    // Storage refused (private mode, full): the choice lasts until the page is left.
  }
  for (const listener of listeners) listener();
}

/** The organizations the signed-in person belongs to (GET /api/organizations), shared with the organizations page. */
export function useOrganizationList() {
  const { token } = useAuth();
  return useQuery({ queryKey: queryKeys.organizationList(), queryFn: () => api<OrganizationSummaryView[]>('/api/organizations'), enabled: !!token, staleTime: 60_000 });
}

export interface WorkspaceState {
  /** The workspace in use; null until the organizations are known (nothing should be read for it yet). */
  workspace: Workspace | null;
  organizations: OrganizationSummaryView[];
  /** Switches to an organization, or to one's own account (null). */
  choose: (organizationId: string | null) => void;
}

/** The current workspace, the ones to choose from and the way to switch. */
export function useWorkspace(): WorkspaceState {
  const { user } = useAuth();
  const userId = user?.id;
  const list = useOrganizationList();
  const storedId = useSyncExternalStore(
    subscribe,
    () => readStored(userId),
    () => null,
  );
  const organizations = useMemo(() => list.data ?? [], [list.data]);
  // A failed list leaves the person in their own account rather than waiting for ever.
  const known = !!userId && (list.isSuccess || list.isError || !storedId);
  const workspace = useMemo(() => (known ? resolveWorkspace(storedId, organizations) : null), [known, storedId, organizations]);
  // An organization left or removed: forget the choice, so it does not come back if they rejoin.
  useEffect(() => {
    if (userId && list.isSuccess && storedId && workspace?.kind === 'personal') writeStored(userId, null);
  }, [userId, list.isSuccess, storedId, workspace]);
  const choose = useCallback(
    (organizationId: string | null) => {
      if (userId) writeStored(userId, organizationId);
    },
    [userId],
  );
  return { workspace, organizations, choose };
}

/**
 * Why chat is refused in a workspace before anything is sent, from its usage: the account's or the
 * pool's block (`ACCOUNT`, `ORGANIZATION`), or — the pool still having room — the member's own
 * monthly limit used up (`MEMBER`); null when chat is open.
 */
export function chatRefusal(usage: Pick<UsageView, 'chatAllowed'>, member: Pick<MemberUsageView, 'monthlyLimitTokens' | 'usedTokens'> | null, workspace: Workspace): 'ACCOUNT' | 'ORGANIZATION' | 'MEMBER' | null {
  if (!usage.chatAllowed) return workspace.kind === 'organization' ? 'ORGANIZATION' : 'ACCOUNT';
  if (workspace.kind === 'organization' && member && memberLimitReached(member)) return 'MEMBER';
  return null;
}
