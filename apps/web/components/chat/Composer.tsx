'use client';

import { useState, type FormEvent, type KeyboardEvent, type Ref } from 'react';
import { useI18n } from '@/lib/i18n';
import { CostPreview } from './CostPreview';

interface ComposerProps {
  busy: boolean;
  conversationId: string | null;
  onSend: (message: string) => void;
  onStop: () => void;
  inputRef?: Ref<HTMLTextAreaElement>;
}

/** The message box with its cost preview: Enter sends, Shift+Enter breaks the line, Stop ends a streaming reply. */
export function Composer({ busy, conversationId, onSend, onStop, inputRef }: ComposerProps) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const send = (event?: FormEvent) => {
    event?.preventDefault();
    const message = text.trim();
    if (!message || busy) return;
    setText('');
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
    <form onSubmit={send} className="mt-3">
      <label htmlFor="message" className="sr-only">
        {t('messageLabel')}
      </label>
      <div className="flex items-end gap-2">
        <textarea
          id="message"
          ref={inputRef}
          rows={2}
          className="input flex-1 resize-none"
          placeholder={t('messagePlaceholder')}
          value={text}
          maxLength={8000}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          data-testid="message-input"
        />
        {busy ? (
          <button key="stop" type="button" className="btn btn-secondary" onClick={onStop}>
            {t('stop')}
          </button>
        ) : (
          <button key="send" type="submit" className="btn btn-primary" disabled={!text.trim()} data-testid="send-button">
            {t('send')}
          </button>
        )}
      </div>
      <CostPreview text={text} conversationId={conversationId} />
    </form>
  );
}
