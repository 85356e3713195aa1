import { formatPercent, type Locale } from '@consult-on/quota-policy';
import type { NotificationKind } from '../database/schema.js';

export interface NotificationData {
  level: string;
  usagePercent: number;
  remainingTokens: number;
}

const tokens = (value: number, locale: Locale) => Math.max(0, Math.round(value)).toLocaleString(locale === 'ko' ? 'ko-KR' : 'en-US');

/** Title and body of a notification in the reader's language: rounded, never negative. */
export function renderNotification(kind: NotificationKind, data: NotificationData, locale: Locale): { title: string; message: string } {
  const used = formatPercent(data.usagePercent);
  const left = tokens(data.remainingTokens, locale);
  const inGrace = data.remainingTokens < 0;
  const ko = locale === 'ko';
  switch (kind) {
    case 'USAGE_WARNING':
      return ko
        ? { title: `토큰 사용량 ${used}% 도달`, message: `이번 달 토큰의 ${used}%를 사용했습니다. 남은 토큰은 ${left}개입니다. 토큰을 추가로 구매하면 끊김 없이 상담할 수 있어요.` }
        : { title: `${used}% of your tokens used`, message: `You have used ${used}% of this month's tokens; ${left} are left. Buy more tokens to keep chatting without interruption.` };
    case 'USAGE_CRITICAL':
      return ko
        ? {
            title: '토큰이 거의 소진되었습니다',
            message: inGrace
              ? `기본 제공량을 모두 사용하여 유예 구간(최대 105%)을 사용 중입니다. 곧 상담이 중단될 수 있으니 토큰을 구매해 주세요.`
              : `이번 달 토큰의 ${used}%를 사용했습니다. 남은 토큰은 ${left}개뿐입니다. 지금 토큰을 구매해 주세요.`,
          }
        : {
            title: 'Your tokens are almost gone',
            message: inGrace
              ? 'You have used your whole allowance and are in the grace zone (up to 105%). Chat will pause soon: please buy tokens.'
              : `You have used ${used}% of this month's tokens; only ${left} are left. Please buy tokens now.`,
          };
    case 'USAGE_BLOCKED':
      return ko
        ? { title: '토큰을 모두 사용했습니다', message: '유예 구간까지 모두 사용하여 AI 상담이 일시 중단되었습니다. 토큰을 구매하면 바로 다시 이용할 수 있습니다.' }
        : { title: 'You have used all your tokens', message: 'The grace zone is used up and AI chat is paused. Buy tokens to continue right away.' };
    case 'USAGE_RECOVERED':
      return ko
        ? { title: '토큰이 충분합니다', message: `사용량이 ${used}%로 내려가 다시 여유 있게 상담할 수 있습니다. 남은 토큰은 ${left}개입니다.` }
        : { title: 'You have tokens again', message: `Your usage is back down to ${used}%, with ${left} tokens left.` };
  }
}
