'use client';

import Link from 'next/link';
import { useCallback, useId, useState, type FormEvent, type KeyboardEvent, type ReactNode, type Ref } from 'react';
import { useI18n } from '@/lib/i18n';
import type { UsageView } from '@consult-on/api-contract';
import { CostPreview, type PricedDraft } from './CostPreview';

interface ComposerProps {
  /** The draft, owned by the page (kept per conversation, so a failed turn can put its question back). */
  text: string;
  onTextChange: (text: string) => void;
  busy: boolean;
  conversationId: string | null;
  /** The workspace a new conversation starts in (null: one's own account): its estimate, and no purchase link in an organization. */
  organizationId?: string | null;
  /** In an organization, what the reader's own limit leaves (null: no limit). */
  memberRemainingTokens?: number | null;
  model: string | null;
  usage: UsageView | undefined;
  onSend: (message: string) => void;
  onStop: () => void;
  inputRef?: Ref<HTMLTextAreaElement>;
  /** Shown beside the cost preview (the model picker). */
  tools?: ReactNode;
  /** Offered by the cost preview once the conversation has grown costly. */
  onNewConversation?: () => void;
}

/**
 * The message box with its cost preview, kept at the bottom of the chat: Enter sends, Shift+Enter
 * breaks the line, Stop ends a streaming reply. When the preview says the message cannot be sent,
 * Send is disabled and the reason is shown under it.
 */
export function Composer({ text, onTextChange, busy, conversationId, organizationId = null, memberRemainingTokens = null, model, usage, onSend, onStop, inputRef, tools, onNewConversation }: ComposerProps) {
  const { t } = useI18n();
  const reasonId = useId();
  const [priced, setPriced] = useState<PricedDraft | null>(null);
  const onEstimate = useCallback((next: PricedDraft | null) => setPriced(next), []);
  const refused =
    !!priced && !priced.estimate.allowed && priced.text === text && priced.conversationId === conversationId && priced.organizationId === organizationId && priced.model === model;
  const send = (event?: FormEvent) => {
    event?.preventDefault();
    const message = text.trim();
    if (!message || busy || refused) return;
    onSend(message);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter that confirms a Korean (IME) syllable is not a send.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };
  return (
    <form onSubmit={send} className="shrink-0 pt-2" data-testid="composer">
      <label htmlFor="message" className="sr-only">
        {t('messageLabel')}
      </label>
      <div className="flex items-end gap-2">
        <textarea
          id="message"
          ref={inputRef}
          rows={2}
          className="input max-h-48 min-w-0 flex-1 resize-none"
          placeholder={t('messagePlaceholder')}
          value={text}
          maxLength={8000}
          onChange={(e) => onTextChange(e.target.value)}
          onKeyDown={onKeyDown}
          aria-describedby={refused ? reasonId : undefined}
          data-testid="message-input"
        />
        {busy ? (
          <button key="stop" type="button" className="btn btn-secondary shrink-0" onClick={onStop} data-testid="stop-button">
            {t('stop')}
          </button>
        ) : (
          <button
            key="send"
            type="submit"
            className="btn btn-primary shrink-0"
            disabled={!text.trim() || refused}
            aria-describedby={refused ? reasonId : undefined}
            data-testid="send-button"
          >
            {t('send')}
          </button>
        )}
      </div>
      <div className="mt-1 flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1">
        {tools}
        <CostPreview
          text={text}
          conversationId={conversationId}
          organizationId={organizationId}
          memberRemainingTokens={memberRemainingTokens}
          model={model}
          usage={usage}
          onEstimate={onEstimate}
          onNewConversation={onNewConversation}
        />
      </div>
      {refused &&
        (organizationId ? (
          <p id={reasonId} className="mt-1 text-sm font-medium text-red-800" data-testid="send-disabled-reason">
            {t('orgChatCannotSend')}
          </p>
        ) : (
          <p id={reasonId} className="mt-1 text-sm font-medium text-red-800" data-testid="send-disabled-reason">
            {t('chatCannotSend')}{' '}
            <Link href="/purchase/" className="underline">
              {t('buyTokens')}
            </Link>
          </p>
        ))}
    </form>
  );
}
