'use client';

import Link from 'next/link';
import { useEffect } from 'react';
import { registerBanner, useBannerShown } from '@/lib/alerts';
import { useI18n, type Key } from '@/lib/i18n';
import { memberLimitReached, memberUsageText, type MemberUsageView } from '@/lib/organizations';
import type { Level, UsageView } from '@consult-on/api-contract';

/**
 * An organization's pool on a usage card: its name, and the reader's own use of it against their
 * limit (null: the reader is not a member — a service admin looking at it).
 */
export interface PoolOf {
  name: string;
  member: MemberUsageView | null;
}

export const levelStyle: Record<Level, { bar: string; badge: string; text: string }> = {
  NORMAL: { bar: 'bg-green-600', badge: 'bg-green-100 text-green-900', text: 'text-green-800' },
  NOTICE: { bar: 'bg-yellow-500', badge: 'bg-yellow-100 text-yellow-900', text: 'text-yellow-800' },
  WARNING: { bar: 'bg-orange-500', badge: 'bg-orange-100 text-orange-900', text: 'text-orange-800' },
  CRITICAL: { bar: 'bg-red-600', badge: 'bg-red-100 text-red-900', text: 'text-red-700' },
  BLOCKED: { bar: 'bg-red-800', badge: 'bg-red-800 text-white', text: 'text-red-800' },
};

export function LevelBadge({ level }: { level: Level }) {
  const { t } = useI18n();
  return <span className={`rounded-full px-2 py-0.5 text-xs font-bold ${levelStyle[level]?.badge ?? ''}`}>{t(`level${level}` as Key)}</span>;
}

export function percentText(value: number, lang: string): string {
  return `${new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-US', { maximumFractionDigits: 1 }).format(Math.floor(value * 10) / 10)}%`;
}

/**
 * The orange (90–95 %), red (95–105 %) or blocked (≥ 105 %) banner; nothing below 90 %. For an
 * organization's pool (`organizationName`) it speaks of the organization and offers no purchase:
 * its owners and admins manage its tokens.
 */
export function UsageBanner({ usage, organizationName }: { usage: UsageView; organizationName?: string }) {
  const { t } = useI18n();
  // The page's one alert for the level: the card and toasts defer to it while it is on the page.
  useEffect(() => registerBanner(usage.level), [usage.level]);
  if (usage.level !== 'WARNING' && usage.level !== 'CRITICAL' && usage.level !== 'BLOCKED') return null;
  const style =
    usage.level === 'WARNING' ? 'border-orange-500 bg-orange-100 text-orange-950' : usage.level === 'CRITICAL' ? 'border-red-600 bg-red-100 text-red-950' : 'border-red-800 bg-red-700 text-white';
  const pool = organizationName !== undefined;
  const text = pool
    ? t(usage.level === 'WARNING' ? 'orgWarningBanner' : usage.level === 'CRITICAL' ? 'orgCriticalBanner' : 'orgBlockedBanner')
    : t(usage.level === 'WARNING' ? 'warningBanner' : usage.level === 'CRITICAL' ? 'criticalBanner' : 'blockedBanner');
  return (
    <div role="alert" data-testid="usage-banner" data-level={usage.level} className={`mb-4 flex flex-col gap-3 rounded-xl border-l-8 p-4 sm:flex-row sm:items-center ${style}`}>
      <div className="flex-1">
        <p className="font-bold">{text}</p>
        {pool ? <p className="mt-1 text-sm">{t('orgPoolManaged')}</p> : usage.message && <p className="mt-1 text-sm">{usage.message}</p>}
      </div>
      {!pool && (
        <Link href="/purchase/" className={`btn btn-primary shrink-0 ${usage.level === 'BLOCKED' ? 'ring-2 ring-white' : ''}`} data-testid="purchase-button">
          {t('buyTokens')}
        </Link>
      )}
    </div>
  );
}

function Figure({ label, value, testid }: { label: string; value: string; testid?: string }) {
  return (
    <div className="rounded-lg bg-slate-50 p-3">
      <dt className="text-xs font-medium text-slate-600">{label}</dt>
      <dd className="mt-0.5 text-base font-bold tabular-nums" data-testid={testid}>
        {value}
      </dd>
    </div>
  );
}

/**
 * The forecast, only for what is still ahead: past 100 % the date of 100 % is gone, and once
 * blocked only the reset (or a purchase) matters.
 */
export function ForecastText({ usage }: { usage: UsageView }) {
  const { t, nf, df } = useI18n();
  const forecast = usage.forecast;
  if (usage.usagePercent >= usage.thresholds.block) {
    return (
      <p className="text-sm text-slate-800" data-testid="forecast">
        {t('forecastBlocked', { date: df(usage.nextResetAt) })}
      </p>
    );
  }
  if (!forecast || forecast.sampleDays === 0 || forecast.burnRatePerDay <= 0) return <p className="text-sm text-slate-600">{t('noForecast')}</p>;
  const past100 = usage.usagePercent >= 100;
  return (
    <ul className="space-y-1 text-sm text-slate-800" data-testid="forecast">
      <li>
        {t('burnRate')}: <strong className="tabular-nums">{t('tokensCount', { n: nf(Math.round(forecast.burnRatePerDay)) })}</strong>
      </li>
      {forecast.resetComesFirst ? (
        <li>{t('resetFirst', { date: df(usage.nextResetAt) })}</li>
      ) : (
        <>
          {!past100 && (
            <li data-testid="forecast-100">
              {t('reach100')}: <strong>{df(forecast.reach100At)}</strong>
              {forecast.reach100Range.earliest && forecast.reach100Range.latest && forecast.reach100Range.earliest !== forecast.reach100Range.latest && (
                <span className="text-slate-600">
                  {' '}
                  ({df(forecast.reach100Range.earliest)} – {df(forecast.reach100Range.latest)})
                </span>
              )}
            </li>
          )}
          {forecast.reach105At && (
            <li data-testid="forecast-105">
              {t('reach105')}: <strong>{df(forecast.reach105At)}</strong>
            </li>
          )}
        </>
      )}
    </ul>
  );
}

/** The account's plan, and the one it moves to at the next reset ("요금제: 플러스 · 2025. 7. 1.부터 무료 요금제"). */
export function PlanLine({ usage }: { usage: UsageView }) {
  const { t, df } = useI18n();
  const { plan } = usage;
  return (
    <p className="mt-1 flex flex-wrap gap-x-2 text-sm text-slate-700" data-testid="usage-plan" data-plan={plan.id}>
      <span>
        {t('planLabel')}: <strong className="font-semibold text-slate-900">{plan.name}</strong>
      </span>
      {plan.nextId && (
        <span className="text-slate-700" data-testid="usage-plan-next" data-plan={plan.nextId}>
          <span aria-hidden="true">· </span>
          {t('planNext', { date: df(usage.nextResetAt), name: plan.nextName ?? plan.nextId })}
        </span>
      )}
    </p>
  );
}

/**
 * The AI usage card: bar, figures, forecast and the level's buttons. With `pool` it is an
 * organization's: titled with its name, with the reader's own limit under the bar and no purchase
 * (its owners and admins manage its tokens); chat is refused there also when that limit is used up.
 */
export function UsageCard({ usage, showActions = true, pool }: { usage: UsageView; showActions?: boolean; pool?: PoolOf }) {
  const { t, nf, df, lang } = useI18n();
  const style = levelStyle[usage.level] ?? levelStyle.NORMAL;
  const width = Math.min(100, Math.max(0, usage.usagePercent));
  const blocked = usage.level === 'BLOCKED' || !usage.chatAllowed;
  const limitReached = !blocked && !!pool?.member && memberLimitReached(pool.member);
  const title = pool ? t('orgPoolTitle', { name: pool.name }) : t('usageTitle');
  // With the level's banner on the page, its buy link is the page's one: the card does not repeat it.
  const bannerOnPage = useBannerShown(usage.level);
  return (
    <section className="card" aria-labelledby="usage-title" data-testid="usage-card" data-level={usage.level} data-workspace={pool ? 'organization' : 'personal'}>
      <div className="flex flex-wrap items-center gap-2">
        <h2 id="usage-title" className="min-w-0 text-lg font-bold break-words" data-testid="usage-title">
          {title}
        </h2>
        <LevelBadge level={usage.level} />
        {usage.graceInUse && <span className="text-xs font-semibold text-red-800">{t('graceInUse')}</span>}
      </div>
      {usage.plan && <PlanLine usage={usage} />}
      <div className="mt-4 flex items-end justify-between gap-2">
        <p className={`text-4xl font-extrabold tabular-nums ${style.text}`} data-testid="usage-percent">
          {percentText(usage.usagePercent, lang)}
        </p>
        <p className="text-right text-sm text-slate-700">
          <span className="tabular-nums">{nf(usage.usedTokens)}</span> / <span className="tabular-nums">{nf(usage.totalAvailable)}</span>
        </p>
      </div>
      <div
        className="mt-2 h-4 w-full overflow-hidden rounded-full bg-slate-200"
        role="progressbar"
        aria-label={title}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(usage.usagePercent)}
        aria-valuetext={percentText(usage.usagePercent, lang)}
      >
        <div className={`h-full rounded-full transition-all ${style.bar}`} style={{ width: `${width}%` }} data-testid="usage-bar" />
      </div>
      {pool?.member && (
        <p className={`mt-2 text-sm font-semibold ${limitReached ? 'text-red-800' : 'text-slate-800'}`} data-testid="member-limit-line">
          {memberUsageText(pool.member, 'line', t, nf)}
        </p>
      )}
      <dl className="mt-4 grid grid-cols-2 gap-2 sm:grid-cols-3">
        <Figure label={t('used')} value={nf(usage.usedTokens)} testid="used-tokens" />
        <Figure label={t('remaining')} value={nf(Math.max(0, usage.remainingTokens))} testid="remaining-tokens" />
        <Figure label={t('freeTokens')} value={nf(usage.freeTokens)} />
        <Figure label={t('purchasedTokens')} value={nf(usage.purchasedTokens)} testid="purchased-tokens" />
        <Figure label={t('nextReset')} value={df(usage.nextResetAt)} />
        <Figure label={t('estimatedTurns')} value={t('turnsCount', { n: nf(usage.estimatedTurns) })} />
        {usage.overageTokens > 0 && <Figure label={t('overage')} value={nf(usage.overageTokens)} />}
      </dl>
      <div className="mt-4">
        <h3 className="mb-1 text-sm font-bold text-slate-800">{t('forecast')}</h3>
        <ForecastText usage={usage} />
      </div>
      {(blocked || limitReached) && (
        <p role="alert" className="mt-4 rounded-lg bg-red-700 p-3 font-semibold text-white" data-testid="blocked-message" data-reason={limitReached ? 'MEMBER' : pool ? 'ORGANIZATION' : 'ACCOUNT'}>
          {limitReached
            ? `${t('memberLimitBlockedTitle')} — ${t('memberLimitBlockedBody', { name: pool!.name, limit: nf(pool!.member?.monthlyLimitTokens ?? 0) })}`
            : pool
              ? `${t('chatBlockedTitle')} — ${t('orgChatBlockedBody', { name: pool.name })}`
              : `${t('chatBlockedTitle')} — ${t('chatBlockedBody')}`}
        </p>
      )}
      {pool && (
        <p className="mt-4 text-sm text-slate-700" data-testid="org-pool-managed">
          {t('orgPoolManaged')}
        </p>
      )}
      {showActions && (
        <div className="mt-4 flex flex-wrap gap-2">
          {blocked || limitReached ? (
            <button type="button" className="btn btn-primary" disabled data-testid="chat-button">
              {t('startChat')}
            </button>
          ) : (
            <Link href="/chat/" className="btn btn-primary" data-testid="chat-button">
              {t('startChat')}
            </Link>
          )}
          {!pool && (usage.showPurchaseButton || usage.usagePercent >= usage.thresholds.notice) && !bannerOnPage && (
            <Link href="/purchase/" className="btn btn-primary" data-testid="purchase-button">
              {t('buyTokens')}
            </Link>
          )}
        </div>
      )}
    </section>
  );
}
