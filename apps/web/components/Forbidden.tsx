'use client';

import Link from 'next/link';
import { useI18n } from '@/lib/i18n';

export function Forbidden() {
  const { t } = useI18n();
  return (
    <div className="card mx-auto max-w-lg text-center" data-testid="forbidden">
      <h1 className="text-2xl font-bold text-red-800">{t('forbiddenTitle')}</h1>
      <p className="mt-2 text-slate-700">{t('forbiddenBody')}</p>
      <Link href="/dashboard/" className="btn btn-primary mt-6">
        {t('backToDashboard')}
      </Link>
    </div>
  );
}
