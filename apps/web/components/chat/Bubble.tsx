'use client';

import Link from 'next/link';
import { memo, useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { ChatMessage } from '@/lib/chat-stream';
import { useI18n } from '@/lib/i18n';
import { actionClass, AnswerActions } from './AnswerActions';
import { Markdown } from './Markdown';
import { Receipt } from './Receipt';

const warningStyle = { WARNING: 'border-orange-500 bg-orange-50 text-orange-950', CRITICAL: 'border-red-600 bg-red-50 text-red-950', BLOCKED: 'border-red-800 bg-red-100 text-red-950' };

export interface BubbleProps {
  message: ChatMessage;
  /** On the last answer: sends its question again as a new (charged) turn. Hidden when not given. */
  onRegenerate?: () => void;
  /** On the last question: edits it in place and sends the edit as a new turn. Hidden when not given. */
  onEditResend?: (text: string) => void;
  /** Regenerate and edit stay visible but cannot be used (a turn is streaming). */
  actionsDisabled?: boolean;
  /** A question that repeats the one before it (a regenerate), and its answer: the question is labelled so, and a streamed answer's receipt starts open. */
  regenerated?: boolean;
  /** Hides the answer's token warning: it repeats the level of the notice shown before it (see warningNoticeKeys). */
  hideWarning?: boolean;
  /** A turn that did not end normally, on the bubble it left ("전송 안 됨 · 다시 보내기", "중지됨 · N 토큰 차감"). */
  status?: ReactNode;
}

/**
 * One message. A question is plain text, with edit-and-resend on the last one; an answer is
 * Markdown with copy (and regenerate on the last one), its token warning and, folded, its receipt.
 */
export const Bubble = memo(function Bubble({ message, onRegenerate, onEditResend, actionsDisabled, regenerated, hideWarning, status }: BubbleProps) {
  const { t, nf } = useI18n();
  const [open, setOpen] = useState(!!regenerated && message.role === 'assistant' && !!message.streaming);
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const mine = message.role === 'user';
  const finished = !message.streaming;
  return (
    <li className={`flex ${mine ? 'justify-end' : 'justify-start'}`} data-testid={mine ? 'user-message' : 'assistant-message'} data-status={message.status}>
      <div className={`min-w-0 ${editing ? 'w-full sm:max-w-[75%]' : 'max-w-[90%] sm:max-w-[75%]'}`}>
        <p className="sr-only">{mine ? t('you') : t('assistant')}</p>
        {mine && regenerated && (
          <p className="mb-1 text-right text-xs text-slate-600" data-testid="regenerated-label">
            {t('regeneratedQuestion')}
          </p>
        )}
        {mine && editing && onEditResend ? (
          <QuestionEditor
            initial={message.content}
            disabled={actionsDisabled}
            onCancel={() => {
              setEditing(false);
              // Back to the button that opened the editor, not to <body>.
              window.requestAnimationFrame(() => editButton.current?.focus());
            }}
            onSend={(text) => {
              setEditing(false);
              onEditResend(text);
            }}
          />
        ) : mine ? (
          <div className="rounded-2xl bg-blue-700 px-4 py-2 whitespace-pre-wrap text-white [overflow-wrap:anywhere]" data-testid="message-content">
            {message.content}
          </div>
        ) : (
          <div className="rounded-2xl border border-slate-200 bg-white px-4 py-2 text-slate-900" data-testid="message-content">
            {message.content ? <Markdown text={message.content} /> : message.streaming ? '…' : ''}
            {message.streaming && <span className="ml-1 inline-block h-4 w-2 animate-pulse bg-slate-400 align-middle" aria-hidden />}
          </div>
        )}
        {mine && !editing && onEditResend && (
          <div className="mt-1 flex justify-end">
            <button ref={editButton} type="button" className={actionClass} disabled={actionsDisabled} onClick={() => setEditing(true)} aria-label={t('questionEditLabel')} data-testid="edit-question">
              {t('questionEdit')}
            </button>
          </div>
        )}
        {status ??
          (message.status && (
            // An earlier turn that did not end normally keeps its label once a later turn took over "send again".
            <p className={`mt-1 text-xs text-slate-600 ${mine ? 'text-right' : ''}`} data-testid="message-status">
              {t(message.status === 'unsent' ? 'chatTurnUnsent' : message.status === 'interrupted' ? 'chatTurnInterrupted' : 'chatTurnStopped')}
            </p>
          ))}
        {message.error && (
          <p role="alert" className="mt-1 text-sm text-red-800">
            {message.error}
          </p>
        )}
        {message.warning && !hideWarning && (
          <div role="alert" data-testid="inline-warning" className={`mt-2 rounded-lg border-l-4 p-2 text-sm ${warningStyle[message.warning.level] ?? warningStyle.WARNING}`}>
            {message.warning.message}{' '}
            <Link href="/purchase/" className="btn btn-primary mt-2 flex w-fit">
              {t('buyTokens')}
            </Link>
          </div>
        )}
        {!mine && finished && (message.content || onRegenerate || message.usage) && (
          <AnswerActions text={message.content} onRegenerate={onRegenerate} disabled={actionsDisabled}>
            {message.usage && (
              <button type="button" className={`${actionClass} underline`} aria-expanded={open} onClick={() => setOpen((v) => !v)} data-testid="receipt-toggle">
                {open ? t('hideReceipt') : `${t('receipt')} · ${t('tokensCount', { n: nf(message.usage.chargedTokens) })}`}
              </button>
            )}
          </AnswerActions>
        )}
        {!mine && open && message.usage && <Receipt usage={message.usage} />}
      </div>
    </li>
  );
});

/** The last question in an editor: Enter (not while composing Korean) sends, Shift+Enter breaks the line, Escape cancels. */
function QuestionEditor({ initial, disabled, onSend, onCancel }: { initial: string; disabled?: boolean; onSend: (text: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [text, setText] = useState(initial);
  const field = useId();
  const hint = useId();
  const send = (event?: FormEvent) => {
    event?.preventDefault();
    const value = text.trim();
    if (!value || disabled) return;
    onSend(value);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      onCancel();
    }
  };
  return (
    <form onSubmit={send} className="rounded-2xl border border-blue-300 bg-blue-50 p-2" data-testid="question-editor">
      <label htmlFor={field} className="sr-only">
        {t('questionEditField')}
      </label>
      <textarea
        id={field}
        // Opened by the user's own click on "edit": the field takes the focus, with the caret at the end.
        autoFocus
        onFocus={(e) => e.currentTarget.setSelectionRange(e.currentTarget.value.length, e.currentTarget.value.length)}
        rows={Math.min(8, Math.max(2, text.split('\n').length))}
        className="input w-full resize-y"
        value={text}
        maxLength={8000}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby={hint}
        data-testid="question-editor-input"
      />
      <p id={hint} className="mt-1 text-xs text-slate-700">
        {t('questionEditHint')}
      </p>
      <div className="mt-2 flex justify-end gap-2">
        <button type="button" className="btn btn-secondary" onClick={onCancel} data-testid="question-editor-cancel">
          {t('questionEditCancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={disabled || !text.trim()} data-testid="question-editor-send">
          {t('questionEditSend')}
        </button>
      </div>
    </form>
  );
}
