import type { UsageView } from '@consult-on/api-contract';

/**
 * The figures the chat shows, all read from one usage snapshot so that the banner, the side panel
 * and the message box never disagree. Past 100 % "remaining" is 0 and what is left is the grace
 * zone up to the block (105 %): `untilBlockTokens`, the same number the banner's sentence gives.
 */
export interface ChatFigures {
  remainingTokens: number;
  untilBlockTokens: number;
  inGrace: boolean;
  chatAllowed: boolean;
}

export function chatFigures(usage: UsageView): ChatFigures {
  const hardLimit = Math.floor((usage.totalAvailable * usage.thresholds.block) / 100);
  return {
    remainingTokens: Math.max(0, usage.remainingTokens),
    untilBlockTokens: Math.max(0, hardLimit - usage.usedTokens),
    inGrace: usage.remainingTokens <= 0 && usage.level !== 'BLOCKED',
    chatAllowed: usage.chatAllowed,
  };
}
