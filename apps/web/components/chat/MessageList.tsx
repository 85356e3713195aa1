'use client';

import { useEffect, useRef } from 'react';
import type { ChatMessage } from '@/lib/chat-stream';
import { useI18n } from '@/lib/i18n';
import { Bubble } from './Bubble';

/** The conversation's messages, kept scrolled to the newest as a reply streams in. */
export function MessageList({ messages, loading, busy }: { messages: ChatMessage[]; loading: boolean; busy: boolean }) {
  const { t } = useI18n();
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages]);
  return (
    <div className="card flex-1 overflow-y-auto p-3! sm:p-4!">
      {loading ? (
        <p className="text-slate-600">{t('loading')}</p>
      ) : messages.length === 0 ? (
        <p className="py-10 text-center text-slate-600">{t('emptyChat')}</p>
      ) : (
        <ol className="space-y-3" aria-live="polite" aria-busy={busy}>
          {messages.map((m) => (
            <Bubble key={m.key} message={m} />
          ))}
        </ol>
      )}
      <div ref={end} />
    </div>
  );
}
