'use client';

import type { ReactNode } from 'react';
import { useAuth } from '@/lib/auth';
import { AppShell } from './AppShell';
import { Forbidden } from './Forbidden';

/** Admin pages: the app frame, and the 403 page for anyone who is not an administrator. */
export function AdminGate({ children }: { children: ReactNode }) {
  return (
    <AppShell wide>
      <Inner>{children}</Inner>
    </AppShell>
  );
}

function Inner({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  return user?.role === 'ADMIN' ? <>{children}</> : <Forbidden />;
}
