import { formatPercent, type Locale } from '@consult-on/quota-policy';
import type { NotificationKind } from '../database/schema.js';

export interface NotificationData {
  level: string;
  usagePercent: number;
  remainingTokens: number;
}

const tokens = (value: number, locale: Locale) => Math.max(0, Math.round(value)).toLocaleString(locale === 'ko' ? 'ko-KR' : 'en-US');

/** Title and body of a notification in the reader's language: rounded, never negative; worded as in docs/GLOSSARY.md. */
export function renderNotification(kind: NotificationKind, data: NotificationData, locale: Locale): { title: string; message: string } {
  const used = formatPercent(data.usagePercent);
  const left = tokens(data.remainingTokens, locale);
  const inGrace = data.remainingTokens < 0;
  const ko = locale === 'ko';
  switch (kind) {
    case 'USAGE_WARNING':
      return ko
        ? { title: `토큰 사용량 ${used}% 도달`, message: `이번 달 토큰의 ${used}%를 사용해 ${left}토큰이 남았습니다. 토큰을 추가로 구매하면 끊김 없이 상담할 수 있습니다.` }
        : { title: `${used}% of your tokens used`, message: `You have used ${used}% of this month's tokens; ${left} tokens are left. Buy more tokens to keep chatting without interruption.` };
    case 'USAGE_CRITICAL':
      return ko
        ? {
            title: '토큰이 거의 소진되었습니다',
            message: inGrace
              ? '이번 달 토큰을 모두 쓰고 초과 사용(최대 105%) 중입니다. 곧 상담이 차단되니 토큰을 구매해 주세요.'
              : `이번 달 토큰의 ${used}%를 사용해 ${left}토큰만 남았습니다. 지금 토큰을 구매해 주세요.`,
          }
        : {
            title: 'Your tokens are almost gone',
            message: inGrace
              ? "You have used all of this month's tokens and are in overage (up to 105%). Chat will be blocked soon: please buy tokens."
              : `You have used ${used}% of this month's tokens; only ${left} tokens are left. Please buy tokens now.`,
          };
    case 'USAGE_BLOCKED':
      return ko
        ? { title: 'AI 상담이 차단되었습니다', message: '초과 사용분(105%)까지 모두 사용하여 AI 상담이 차단되었습니다. 토큰을 구매하면 바로 다시 이용할 수 있습니다.' }
        : { title: 'AI chat is blocked', message: 'The overage (up to 105%) is used up too, so AI chat is blocked. Buy tokens to continue right away.' };
    case 'USAGE_RECOVERED':
      return ko
        ? { title: '토큰이 다시 넉넉합니다', message: `사용량이 ${used}%로 내려갔습니다. ${left}토큰이 남았습니다.` }
        : { title: 'You have tokens to spare again', message: `Usage is back down to ${used}%; ${left} tokens are left.` };
  }
}
