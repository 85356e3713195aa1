'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, getToken, setToken } from './api';
import { queryKeys } from './queries';
import type { SessionView, UserView } from '@consult-on/api-contract';

interface Auth {
  /** undefined until the browser storage has been read. */
  token: string | null | undefined;
  user: UserView | undefined;
  loading: boolean;
  /** After an explicit logout (no `next` to return to): where it went; null otherwise. */
  signedOut: string | null;
  signIn: (session: SessionView) => void;
  /** Forgets the session and goes to `to` (the login page unless said otherwise). */
  signOut: (to?: string) => void;
}

const Context = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [token, setTokenState] = useState<string | null | undefined>(undefined);
  const [signedOut, setSignedOut] = useState<string | null>(null);
  const client = useQueryClient();
  const router = useRouter();
  useEffect(() => setTokenState(getToken()), []);
  const me = useQuery({ queryKey: queryKeys.me(token), queryFn: () => api<UserView>('/api/auth/me'), enabled: !!token, staleTime: 5 * 60_000 });
  const signIn = useCallback(
    (session: SessionView) => {
      setToken(session.accessToken);
      client.clear();
      client.setQueryData(queryKeys.me(session.accessToken), session.user);
      setTokenState(session.accessToken);
      setSignedOut(null);
    },
    [client],
  );
  const signOut = useCallback(
    (to = '/login/') => {
      setToken(null);
      setSignedOut(to);
      setTokenState(null);
      client.clear();
      router.replace(to);
    },
    [client, router],
  );
  const value = useMemo<Auth>(
    () => ({ token, user: me.data, loading: token === undefined || (!!token && me.isPending), signedOut, signIn, signOut }),
    [token, me.data, me.isPending, signedOut, signIn, signOut],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useAuth(): Auth {
  const value = useContext(Context);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
