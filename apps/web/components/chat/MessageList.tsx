'use client';

import { useCallback, useMemo, useRef } from 'react';
import type { ChatMessage, TurnProblem } from '@/lib/chat-stream';
import { warningNoticeKeys } from '@/lib/alerts';
import { useI18n } from '@/lib/i18n';
import { Bubble } from './Bubble';
import { offersResend, TurnStatus } from './TurnStatus';

export interface MessageListProps {
  messages: ChatMessage[];
  loading: boolean;
  busy: boolean;
  /**
   * Regenerate on the last answer: called with the question it answered (and the answer's key).
   * The page sends that question again as a new, charged turn of the same conversation. Hidden when not given.
   */
  onRegenerate?: (question: string, answerKey: string) => void;
  /** Edit-and-resend on the last question: called with the edited text, which the page sends as a new turn. Hidden when not given. */
  onEditResend?: (text: string) => void;
  /** The last turn, when it did not end normally: its status goes on the bubble it left, with "send again". */
  turn?: TurnProblem | null;
  onRetry?: () => void;
}

/**
 * The conversation's messages with their answer tools. It does not scroll by itself: the page's
 * scroll pane (ChatScrollPane) holds it and decides when to follow the newest message.
 */
export function MessageList({ messages, loading, busy, onRegenerate, onEditResend, turn, onRetry }: MessageListProps) {
  const { t } = useI18n();

  // The page's handlers may be new functions on every render (every streamed chunk): the bubbles
  // get stable ones, so that the finished bubbles are not rendered again.
  const handlers = useRef({ onRegenerate, onEditResend });
  handlers.current = { onRegenerate, onEditResend };
  const editResend = useCallback((text: string) => handlers.current.onEditResend?.(text), []);

  const lastUser = findLastIndex(messages, (m) => m.role === 'user');
  const lastAnswer = findLastIndex(messages, (m) => m.role === 'assistant');
  // The question the last answer answered: the nearest question before it.
  const question = lastAnswer > 0 ? messages[findLastIndex(messages.slice(0, lastAnswer), (m) => m.role === 'user')]?.content : undefined;
  const answerKey = lastAnswer >= 0 ? messages[lastAnswer]!.key : undefined;
  const regenerate = useMemo(
    () => (question && answerKey ? () => handlers.current.onRegenerate?.(question, answerKey) : undefined),
    [question, answerKey],
  );
  const regenerated = useMemo(() => repeatedQuestions(messages), [messages]);
  // The token warning inline only where the level changes, not after every turn.
  const notices = useMemo(() => warningNoticeKeys(messages), [messages]);
  // The bubble a turn that did not end normally left: the last one marked unsent, interrupted or stopped.
  const statusAt = turn ? findLastIndex(messages, (m) => m.status !== undefined) : -1;
  const status = turn ? <TurnStatus turn={turn} busy={busy} onRetry={() => onRetry?.()} /> : null;
  // One way to send it again: "send again" on the status, or regenerate on the answer, not both.
  const resendOnStatus = turn ? offersResend(turn) : false;

  return (
    <div className="card flex-1 p-3! sm:p-4!">
      {loading ? (
        <p className="text-slate-600">{t('loading')}</p>
      ) : messages.length === 0 ? (
        <p className="py-10 text-center text-slate-600">{t('emptyChat')}</p>
      ) : (
        <ol className="space-y-3" aria-live="polite" aria-busy={busy}>
          {messages.map((m, index) => (
            <Bubble
              key={m.key}
              message={m}
              regenerated={regenerated.has(m.key)}
              hideWarning={!!m.warning && !notices.has(m.key)}
              actionsDisabled={busy}
              onRegenerate={onRegenerate && index === lastAnswer && lastAnswer > lastUser && !m.streaming && !busy && !(index === statusAt && resendOnStatus) ? regenerate : undefined}
              onEditResend={onEditResend && index === lastUser ? editResend : undefined}
              status={index === statusAt ? status : undefined}
            />
          ))}
        </ol>
      )}
      {status && statusAt < 0 && !loading && <div className="mt-3">{status}</div>}
    </div>
  );
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i -= 1) if (test(items[i]!)) return i;
  return -1;
}

/**
 * The keys of the questions that repeat the question just before them (a regenerate sends the
 * same text again) and of the answers to those questions.
 */
export function repeatedQuestions(messages: readonly ChatMessage[]): Set<string> {
  const keys = new Set<string>();
  let previous: string | null = null;
  let repeated = false;
  for (const m of messages) {
    if (m.role === 'user') {
      repeated = previous !== null && m.content === previous;
      previous = m.content;
      if (repeated) keys.add(m.key);
    } else if (repeated) {
      keys.add(m.key);
      repeated = false;
    }
  }
  return keys;
}
