import type { UsageEvaluation } from './usage.js';

export type Locale = 'ko' | 'en';

function formatTokens(tokens: number, locale: Locale): string {
  return Math.max(0, Math.round(tokens)).toLocaleString(locale === 'ko' ? 'ko-KR' : 'en-US');
}

/** A percentage for people: whole, never negative, "< 1" rather than a misleading 0. */
export function formatPercent(percent: number): string {
  if (!(percent > 0)) return '0';
  if (percent < 1) return '< 1';
  return String(Math.round(percent));
}

/**
 * The warning sentence for a usage state. Unlike the report's `${100 - usagePercent}%`, it never
 * prints a negative or unrounded figure, and it says so when the overage (100–105 %) is in use.
 * Wording follows docs/GLOSSARY.md (초과 사용 / overage, 차단 / blocked, "357토큰").
 */
export function usageMessage(usage: UsageEvaluation, locale: Locale = 'ko'): string {
  const ko = locale === 'ko';
  if (usage.level === 'BLOCKED') {
    return ko
      ? '토큰을 모두 사용했습니다. 토큰을 추가로 구매하면 바로 다시 상담할 수 있습니다.'
      : 'You have used all your tokens. Buy more tokens to continue right away.';
  }
  if (usage.consumedTokens >= usage.capacityTokens) {
    const graceTokens = formatTokens(usage.hardLimitTokens - usage.consumedTokens, locale);
    return ko
      ? `이번 달 토큰을 모두 쓰고 초과 사용 중입니다. 차단까지 ${graceTokens}토큰 남았습니다. 초과 사용분은 다음에 받는 토큰(구매 또는 다음 달 무료 토큰)에서 먼저 차감됩니다.`
      : `You have used all of this month's tokens and are now in overage: ${graceTokens} tokens left before chat is blocked. The overage is taken from the next tokens you get (a purchase or next month's free tokens).`;
  }
  const percentLeft = formatPercent(100 - usage.usagePercent);
  const tokensLeft = formatTokens(usage.remainingTokens, locale);
  const turns = usage.estimatedTurns;
  return ko
    ? `토큰이 약 ${percentLeft}% 남았습니다. ${tokensLeft}토큰으로 약 ${turns}회 더 대화할 수 있습니다.`
    : `About ${percentLeft}% of your tokens are left (${tokensLeft} tokens, about ${turns} more turns).`;
}
