'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRef, useState, type FormEvent } from 'react';
import { AdminGate } from '@/components/AdminGate';
import { OrganizationsTable } from '@/components/AdminOrganizations';
import { Spinner } from '@/components/AppShell';
import { Forbidden } from '@/components/Forbidden';
import { adminOrganizationsPath, pageCount, pageRange, rowOfListed, type AdminOrganizationPageView } from '@/lib/admin-organizations';
import { api, ApiError } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/queries';
import { QueryFailed } from '@/components/QueryFailed';

function Organizations() {
  const { t, nf } = useI18n();
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(1);
  const heading = useRef<HTMLHeadingElement>(null);
  const list = useQuery({
    queryKey: queryKeys.adminOrganizations(query, page),
    queryFn: () => api<AdminOrganizationPageView>(adminOrganizationsPath(query, page)),
    // The page being left stays on screen while the next one loads: the pager does not jump.
    placeholderData: keepPreviousData,
  });
  if (list.error instanceof ApiError && list.error.status === 403) return <Forbidden />;
  const search = (event: FormEvent) => {
    event.preventDefault();
    setQuery(draft.trim());
    setPage(1);
  };
  const clear = () => {
    setDraft('');
    setQuery('');
    setPage(1);
  };
  const go = (next: number) => {
    setPage(next);
    heading.current?.focus();
  };
  const data = list.data;
  const pages = data ? pageCount(data.total, data.pageSize) : 1;
  const range = data ? pageRange(data.page, data.pageSize, data.total, data.items.length) : null;
  const summary =
    range && data && data.total > 0 ? t(query ? 'adminOrgsShowingMatched' : 'adminOrgsShowing', { query, total: nf(data.total), from: nf(range.from), to: nf(range.to) }) : t('adminOrgsTitle');
  return (
    <>
      <Link href="/admin/" className="text-sm font-medium text-blue-800 underline">
        ← {t('adminOrgsBack')}
      </Link>
      <h1 className="mt-2 text-2xl font-bold">{t('adminOrgsTitle')}</h1>
      <p className="mt-1 mb-4 max-w-3xl text-sm break-keep text-slate-700">{t('adminOrgsIntro')}</p>
      <section className="card" aria-labelledby="orgs-list-title">
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          <h2 id="orgs-list-title" ref={heading} tabIndex={-1} className="text-lg font-bold outline-none" data-testid="orgs-summary">
            {summary}
          </h2>
          <p className="sr-only" aria-live="polite">
            {data ? summary : ''}
          </p>
          <form onSubmit={search} className="flex w-full min-w-0 gap-2 sm:w-auto" role="search">
            <label htmlFor="org-search" className="sr-only">
              {t('adminOrgsSearch')}
            </label>
            <input
              id="org-search"
              type="search"
              className="input min-w-0 flex-1 py-1.5! sm:w-64"
              placeholder={t('adminOrgsSearch')}
              maxLength={60}
              value={draft}
              onChange={(event) => setDraft(event.target.value)}
              data-testid="org-search"
            />
            <button type="submit" className="btn btn-secondary shrink-0" data-testid="org-search-submit">
              {t('searchButton')}
            </button>
          </form>
        </div>
        {list.isError ? (
          <QueryFailed error={list.error} onRetry={() => void list.refetch()} />
        ) : !data ? (
          <Spinner />
        ) : data.items.length === 0 ? (
          <div className="p-4 text-slate-600" data-testid="orgs-empty">
            <p>{query ? t('adminOrgsNoMatch', { query }) : t('adminOrgsNone')}</p>
            {query && (
              <button type="button" className="btn btn-secondary mt-3" onClick={clear}>
                {t('adminOrgsSearchClear')}
              </button>
            )}
          </div>
        ) : (
          <div className={list.isPlaceholderData ? 'opacity-60' : undefined} aria-busy={list.isPlaceholderData || undefined}>
            <OrganizationsTable rows={data.items.map(rowOfListed)} testId="orgs" />
          </div>
        )}
        {data && pages > 1 && (
          <nav aria-label={t('adminOrgsPages')} className="mt-3 flex flex-wrap items-center justify-between gap-2" data-testid="orgs-pager">
            <button type="button" className="btn btn-secondary" disabled={page <= 1 || list.isFetching} onClick={() => go(page - 1)} data-testid="orgs-previous">
              {t('adminOrgsPrevious')}
            </button>
            <span className="text-sm text-slate-700 tabular-nums" data-testid="orgs-page">
              {t('adminOrgsPageOf', { page: nf(page), pages: nf(pages) })}
            </span>
            <button type="button" className="btn btn-secondary" disabled={page >= pages || list.isFetching} onClick={() => go(page + 1)} data-testid="orgs-next">
              {t('adminOrgsNext')}
            </button>
          </nav>
        )}
      </section>
    </>
  );
}

export default function AdminOrganizationsPage() {
  return (
    <AdminGate>
      <Organizations />
    </AdminGate>
  );
}
