import type { NotificationView } from '@consult-on/api-contract';
import { percentText } from '@/components/UsageCard';
import type { Key } from './i18n';

type T = (key: Key, vars?: Record<string, string | number>) => string;
type Stored = Pick<NotificationView, 'level' | 'usagePercent' | 'remainingTokens'> & Partial<Pick<NotificationView, 'kind' | 'organizationName' | 'planName' | 'planFreeFrom'>>;

/** Whether a notification is about an organization (its pool, or the reader's limit in it) rather than the reader's own account. */
export function aboutOrganization(item: Pick<NotificationView, 'kind'>): boolean {
  return item.kind.startsWith('ORGANIZATION_') || item.kind.startsWith('MEMBER_LIMIT_');
}

/** The organization as the sentence names it: "‘온길’ 조직", or "조직" when the notification kept no name (one written before names were stored). */
function organizationWords(item: Stored, t: T): string {
  return item.organizationName ? t('notifOrgNamed', { name: item.organizationName }) : t('notifOrgUnnamed');
}

/**
 * The message keys of a notification: an organization's pool and a member's limit have their own
 * (named by the organization, "내 한도" for the limit); the reader's own account goes by its level.
 */
function keysOf(item: Stored): { title: Key; body: Key; grace: Key } {
  const kind = item.kind ?? '';
  if (kind.startsWith('ORGANIZATION_') || kind.startsWith('MEMBER_LIMIT_') || kind.startsWith('PLAN_')) {
    return { title: `notifTitle${kind}` as Key, body: `notifBody${kind}` as Key, grace: kind === 'ORGANIZATION_CRITICAL' ? 'notifBodyORGANIZATION_CRITICALGrace' : (`notifBody${kind}` as Key) };
  }
  return { title: `notifTitle${item.level}` as Key, body: `notifBody${item.level}` as Key, grace: 'notifBodyCRITICALGrace' };
}

function varsOf(item: Stored, t: T, lang: string) {
  return {
    pct: percentText(item.usagePercent, lang),
    left: Math.max(0, Math.round(item.remainingTokens)).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US'),
    org: organizationWords(item, t),
    plan: item.planName ?? '',
    date: item.planFreeFrom ? dayText(item.planFreeFrom, lang) : '',
  };
}

/** A stored local day (YYYY-MM-DD) as the reader writes it: "12월 1일", "December 1" — read as a calendar day, never moved by a time zone. */
function dayText(day: string, lang: string): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en-US', { month: 'long', day: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(year!, month! - 1, date!)));
}

/**
 * A notification's wording comes from what it stored — the level, usage and remaining tokens when
 * it was created — never from the current level: one read later still says what happened then.
 */
export function notificationTitle(item: Stored, t: T, lang: string): string {
  return t(keysOf(item).title, varsOf(item, t, lang));
}

export function notificationMessage(item: Stored, t: T, lang: string): string {
  const keys = keysOf(item);
  if (item.level === 'CRITICAL' && item.remainingTokens < 0) return t(keys.grace, varsOf(item, t, lang));
  return t(keys.body, varsOf(item, t, lang));
}
