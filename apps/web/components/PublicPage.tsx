'use client';

import type { ReactNode } from 'react';
import { useI18n } from '@/lib/i18n';
import { LanguageSwitch } from './AppShell';

/** The frame of the pages used without a session (sign in, sign up, a forgotten password, a mailed link): the name, the language switch and one card. */
export function PublicPage({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-4 py-8">
      <div className="w-full max-w-sm">
        <div className="mb-4 flex items-center justify-between">
          <span className="text-2xl font-extrabold text-blue-800">{t('appName')}</span>
          <LanguageSwitch />
        </div>
        {children}
      </div>
    </main>
  );
}

/** The token of a mailed link: it comes after `#token=` (never sent to a server by the browser). */
export function linkToken(): string | null {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  return token && /^[A-Za-z0-9_-]{43}$/.test(token) ? token : null;
}
