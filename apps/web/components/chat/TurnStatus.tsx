'use client';

import Link from 'next/link';
import type { TurnProblem } from '@/lib/chat-stream';
import { useI18n } from '@/lib/i18n';

const purchaseCodes = new Set(['TOKEN_EXHAUSTED']);

/** Whether the turn's status offers "send again": not for a stopped answer that was charged (regenerate is on the answer). */
export function offersResend(turn: TurnProblem): boolean {
  return !(turn.kind === 'stopped' && turn.charge.state === 'charged');
}

/**
 * On the bubble of a turn that did not end normally (the question not sent, or the answer): "전송 안 됨 · 다시 보내기" for a
 * question that was not sent, "답변이 중간에 끊겼습니다" for an answer cut off, "중지됨 · N 토큰
 * 차감" after Stop — always with why and whether anything was charged.
 */
export function TurnStatus({ turn, busy, onRetry }: { turn: TurnProblem; busy: boolean; onRetry: () => void }) {
  const { t, nf } = useI18n();
  const { charge } = turn;
  const stoppedCharged = turn.kind === 'stopped' && charge.state === 'charged';
  const title =
    turn.kind === 'unsent'
      ? t('chatTurnUnsent')
      : turn.kind === 'interrupted'
        ? t('chatTurnInterrupted')
        : stoppedCharged
          ? `${t('chatTurnStopped')} · ${t('chatStoppedCharged', { n: nf(charge.tokens) })}`
          : t('chatTurnStopped');
  const chargeText =
    charge.state === 'checking'
      ? t('chatChargeChecking')
      : charge.state === 'none'
        ? t('chatChargedNone')
        : charge.state === 'unknown'
          ? t('chatChargeUnknown')
          : stoppedCharged
            ? null
            : t('chatChargedPartial', { n: nf(charge.tokens) });
  const canResend = offersResend(turn);
  const tone = turn.kind === 'stopped' ? 'border-slate-300 bg-slate-50 text-slate-800' : 'border-red-300 bg-red-50 text-red-950';
  return (
    <div role="status" className={`mt-1 min-w-0 rounded-xl border px-3 py-2 text-sm ${tone}`} data-testid="turn-status" data-kind={turn.kind} data-charge={charge.state}>
      <p className="font-semibold">
        <span data-testid="turn-status-title">{title}</span>
        {canResend && (
          <>
            {' · '}
            <button type="button" className="font-semibold underline underline-offset-2 disabled:opacity-50" onClick={onRetry} disabled={busy} data-testid="resend">
              {t('chatResend')}
            </button>
          </>
        )}
      </p>
      {turn.reason && <p className="mt-1">{turn.reason}</p>}
      {chargeText && (
        <p className="mt-1 font-medium" data-testid="turn-charge">
          {chargeText}
        </p>
      )}
      {turn.draftKept && <p className="mt-1 text-xs opacity-80">{t('chatDraftKept')}</p>}
      {/* An organization's tokens or a member's limit are not bought here: the server says to ask its owners and admins. */}
      {turn.code && purchaseCodes.has(turn.code) && turn.recommendedAction !== 'ASK_ORGANIZATION_ADMIN' && (
        <Link href="/purchase/" className="btn btn-primary mt-2">
          {t('buyTokens')}
        </Link>
      )}
    </div>
  );
}
