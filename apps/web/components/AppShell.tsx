'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useRef, type ReactNode } from 'react';
import { useAuth } from '@/lib/auth';
import { useI18n, type Key } from '@/lib/i18n';
import { safeNext } from '@/lib/safe-next';
import { NotificationBell } from './NotificationBell';
import { VerificationNotice } from './VerificationNotice';
import { WorkspaceSwitch } from './WorkspaceSwitch';

const links: { href: string; key: Key }[] = [
  { href: '/dashboard/', key: 'navDashboard' },
  { href: '/chat/', key: 'navChat' },
  { href: '/purchase/', key: 'navPurchase' },
  { href: '/purchases/', key: 'navPurchases' },
  { href: '/history/', key: 'navHistory' },
  { href: '/reports/', key: 'navReports' },
  { href: '/plans/', key: 'navPlans' },
  { href: '/organizations/', key: 'navOrganizations' },
  { href: '/api-keys/', key: 'navApiKeys' },
  { href: '/settings/', key: 'navSettings' },
];

const adminLinks: { href: string; key: Key }[] = [
  { href: '/admin/', key: 'navAdmin' },
  { href: '/admin/plans/', key: 'navAdminPlans' },
  { href: '/admin/organizations/', key: 'navAdminOrganizations' },
  { href: '/admin/reports/', key: 'navAdminReports' },
];

export function LanguageSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <button type="button" className="rounded-lg px-2 py-1 text-sm font-medium text-slate-700 hover:bg-slate-100" aria-label={t('languageLabel')} data-testid="lang-switch" onClick={() => setLang(lang === 'ko' ? 'en' : 'ko')}>
      {t('language')}
    </button>
  );
}

export function Spinner() {
  const { t } = useI18n();
  return (
    <p role="status" className="p-8 text-center text-slate-600">
      {t('loading')}
    </p>
  );
}

/** The signed-in frame: header, navigation, bell, live notifications. Sends visitors without a session to login. */
export function AppShell({ children }: { children: ReactNode; wide?: boolean }) {
  const { token, user, loading, signedOut, signOut } = useAuth();
  const { t } = useI18n();
  const pathname = usePathname();
  const router = useRouter();
  useEffect(() => {
    if (token === null) {
      const next = safeNext(window.location.pathname + window.location.search, window.location.origin);
      router.replace(signedOut ?? `/login/?next=${encodeURIComponent(next)}`);
    }
  }, [token, signedOut, router]);
  const nav = user?.role === 'ADMIN' ? [...links, ...adminLinks] : links;
  // The longest link the path is under is the current page's ('/admin/plans/' is not also '/admin/').
  const current = nav.filter((link) => pathname === link.href || pathname?.startsWith(link.href)).sort((a, b) => b.href.length - a.href.length)[0]?.href;
  // On a phone the links scroll sideways in their own row: bring the current one into it (the row only, never the page).
  const navRef = useRef<HTMLElement>(null);
  useEffect(() => {
    const row = navRef.current;
    const active = row?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!row || !active || row.scrollWidth <= row.clientWidth) return;
    const left = active.getBoundingClientRect().left - row.getBoundingClientRect().left + row.scrollLeft;
    if (left < row.scrollLeft || left + active.offsetWidth > row.scrollLeft + row.clientWidth) row.scrollLeft = Math.max(0, left - 8);
  }, [current, user]);
  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:p-2">
        {t('skipToContent')}
      </a>
      <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/95 backdrop-blur print:hidden">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-2 gap-y-1 px-3 py-2 sm:flex-nowrap sm:px-4">
          <Link href="/dashboard/" className="mr-2 text-lg font-extrabold whitespace-nowrap text-blue-800">
            {t('appName')}
          </Link>
          <nav ref={navRef} aria-label="main" className="order-last -mx-1 flex w-full gap-1 overflow-x-auto sm:order-none sm:mx-0 sm:w-auto sm:flex-1">
            {nav.map((link) => {
              const active = link.href === current;
              return (
                <Link
                  key={link.href}
                  href={link.href}
                  aria-current={active ? 'page' : undefined}
                  className={`shrink-0 rounded-lg px-3 py-1.5 text-sm font-medium ${active ? 'bg-blue-100 text-blue-900' : 'text-slate-700 hover:bg-slate-100'}`}
                  data-testid={`nav-${link.href.replaceAll('/', '')}`}
                >
                  {t(link.key)}
                </Link>
              );
            })}
          </nav>
          <div className="ml-auto flex min-w-0 items-center gap-1 whitespace-nowrap">
            {user && <WorkspaceSwitch />}
            <LanguageSwitch />
            {token && <NotificationBell />}
            {user && (
              <span className="hidden max-w-40 truncate text-sm text-slate-600 md:inline" title={user.email}>
                {user.email}
              </span>
            )}
            <button type="button" className="rounded-lg px-2 py-1 text-sm font-medium text-slate-700 hover:bg-slate-100" onClick={() => signOut()}>
              {t('logout')}
            </button>
          </div>
        </div>
      </header>
      <main id="main" className={`mx-auto w-full max-w-6xl flex-1 px-3 py-4 sm:px-4 sm:py-6 print:p-0`}>
        {loading || !user ? (
          <Spinner />
        ) : (
          <>
            {user.verificationPending && <VerificationNotice />}
            {children}
          </>
        )}
      </main>
    </div>
  );
}
