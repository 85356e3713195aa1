'use client';

import Link from 'next/link';
import { useI18n } from '@/lib/i18n';

/**
 * The static 404 page for any path. Like every page it renders in Korean first and switches to
 * the stored language once the browser has read it: one language at a time, never both.
 */
export default function NotFound() {
  const { t } = useI18n();
  return (
    <main id="main" className="mx-auto max-w-md p-8 text-center">
      <h1 className="text-2xl font-bold">404 — {t('notFoundTitle')}</h1>
      <Link href="/dashboard/" className="btn btn-primary mt-6">
        {t('backToDashboard')}
      </Link>
    </main>
  );
}
