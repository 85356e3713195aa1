import type { NotificationView } from '@consult-on/api-contract';
import { percentText } from '@/components/UsageCard';
import type { Key } from './i18n';

type T = (key: Key, vars?: Record<string, string | number>) => string;
type Stored = Pick<NotificationView, 'level' | 'usagePercent' | 'remainingTokens'>;

/**
 * A notification's wording comes from what it stored — the level, usage and remaining tokens when
 * it was created — never from the current level: one read later still says what happened then.
 */
export function notificationTitle(item: Stored, t: T, lang: string): string {
  return t(`notifTitle${item.level}` as Key, { pct: percentText(item.usagePercent, lang) });
}

export function notificationMessage(item: Stored, t: T, lang: string): string {
  const vars = { pct: percentText(item.usagePercent, lang), left: Math.max(0, Math.round(item.remainingTokens)).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US') };
  if (item.level === 'CRITICAL' && item.remainingTokens < 0) return t('notifBodyCRITICALGrace', vars);
  return t(`notifBody${item.level}` as Key, vars);
}
