import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chatRefusal, PERSONAL, resolveWorkspace, useWorkspace, workspaceOrganizationId, workspaceStorageKey, type Workspace } from './workspace';

vi.mock('./auth', () => ({ useAuth: () => ({ token: 't', user: { id: 'u1', email: 'u1@example.com', role: 'USER' } }) }));

const organizations = [
  { id: 'org-a', name: '온길 상담센터', role: 'OWNER' as const },
  { id: 'org-b', name: '바른 법률', role: 'MEMBER' as const },
];
const inA: Workspace = { kind: 'organization', id: 'org-a', name: '온길 상담센터', role: 'OWNER' };

describe('the workspace a stored choice stands for', () => {
  it('is the organization while the person still belongs to it', () => {
    expect(resolveWorkspace('org-a', organizations)).toEqual(inA);
    expect(resolveWorkspace('org-b', organizations)).toEqual({ kind: 'organization', id: 'org-b', name: '바른 법률', role: 'MEMBER' });
  });

  it('falls back to one’s own account when nothing is stored or the organization is gone', () => {
    expect(resolveWorkspace(null, organizations)).toEqual(PERSONAL);
    expect(resolveWorkspace('org-gone', organizations)).toEqual(PERSONAL);
    expect(resolveWorkspace('org-a', [])).toEqual(PERSONAL);
    expect(resolveWorkspace('', organizations)).toEqual(PERSONAL);
  });

  it('names the organization a request carries, none for one’s own account', () => {
    expect(workspaceOrganizationId(inA)).toBe('org-a');
    expect(workspaceOrganizationId(PERSONAL)).toBeNull();
  });

  it('is kept per user', () => {
    expect(workspaceStorageKey('u1')).not.toBe(workspaceStorageKey('u2'));
  });
});

describe('why chat is refused before anything is sent', () => {
  const open = { chatAllowed: true };
  const blocked = { chatAllowed: false };
  const limit = (monthlyLimitTokens: number | null, usedTokens: number) => ({ monthlyLimitTokens, usedTokens });

  it('is the account’s block in one’s own account', () => {
    expect(chatRefusal(blocked, null, PERSONAL)).toBe('ACCOUNT');
    expect(chatRefusal(open, null, PERSONAL)).toBeNull();
  });

  it('is the pool’s block in an organization, whatever the member’s limit leaves', () => {
    expect(chatRefusal(blocked, limit(null, 0), inA)).toBe('ORGANIZATION');
    expect(chatRefusal(blocked, limit(50_000, 40_000), inA)).toBe('ORGANIZATION');
  });

  it('is the member’s limit once it is used up, though the pool has room', () => {
    expect(chatRefusal(open, limit(5_000, 5_000), inA)).toBe('MEMBER');
    expect(chatRefusal(open, limit(0, 0), inA)).toBe('MEMBER');
    expect(chatRefusal(open, limit(5_000, 4_999), inA)).toBeNull();
    expect(chatRefusal(open, limit(null, 1_000_000), inA)).toBeNull();
  });
});

describe('useWorkspace', () => {
  function renderWorkspace(list: unknown[]) {
    vi.stubGlobal('fetch', async (path: string) =>
      path === '/api/organizations' ? new Response(JSON.stringify(list), { headers: { 'Content-Type': 'application/json' } }) : new Response('{}', { status: 404 }),
    );
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
    return renderHook(() => useWorkspace(), { wrapper });
  }
  afterEach(() => {
    vi.unstubAllGlobals();
    window.localStorage.clear();
  });

  it('keeps the choice per user and falls back to one’s own account, forgetting an organization that is gone', async () => {
    window.localStorage.setItem(workspaceStorageKey('u1'), 'org-gone');
    const { result } = renderWorkspace(organizations);
    await waitFor(() => expect(result.current.workspace).toEqual(PERSONAL));
    await waitFor(() => expect(window.localStorage.getItem(workspaceStorageKey('u1'))).toBeNull());
    act(() => result.current.choose('org-a'));
    expect(result.current.workspace).toEqual(inA);
    expect(window.localStorage.getItem(workspaceStorageKey('u1'))).toBe('org-a');
    act(() => result.current.choose(null));
    expect(result.current.workspace).toEqual(PERSONAL);
    expect(window.localStorage.getItem(workspaceStorageKey('u1'))).toBeNull();
  });

  it('reads nothing for a stored organization until the list says whether it is still there', async () => {
    window.localStorage.setItem(workspaceStorageKey('u1'), 'org-b');
    const { result } = renderWorkspace(organizations);
    expect(result.current.workspace).toBeNull();
    await waitFor(() => expect(result.current.workspace).toMatchObject({ kind: 'organization', id: 'org-b' }));
  });
});
