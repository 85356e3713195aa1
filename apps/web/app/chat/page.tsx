'use client';

import { useRef } from 'react';
import { AppShell } from '@/components/AppShell';
import { ChatBlocked } from '@/components/chat/ChatBlocked';
import { Composer } from '@/components/chat/Composer';
import { ConversationList } from '@/components/chat/ConversationList';
import { MessageList } from '@/components/chat/MessageList';
import { UsageBanner } from '@/components/UsageCard';
import { useChatStream } from '@/lib/chat-stream';
import { useI18n } from '@/lib/i18n';
import { useUsage } from '@/lib/queries';

function Chat() {
  const { t } = useI18n();
  const usage = useUsage();
  const chat = useChatStream();
  const input = useRef<HTMLTextAreaElement>(null);
  const startNew = () => {
    chat.open(null);
    input.current?.focus();
  };
  return (
    <div className="grid gap-4 md:grid-cols-[16rem_1fr]">
      <ConversationList activeId={chat.activeId} usage={usage.data} onOpen={chat.open} onNew={startNew} />
      <section className="flex min-h-[60vh] flex-col" aria-label={t('navChat')}>
        {usage.data && <UsageBanner usage={usage.data} />}
        <MessageList messages={chat.messages} loading={chat.loading} busy={chat.busy} />
        {chat.refusal && (
          <p role="alert" className="mt-2 rounded-lg bg-red-100 p-3 text-sm text-red-900" data-testid="chat-refusal">
            {chat.refusal}
          </p>
        )}
        {usage.data && !usage.data.chatAllowed ? (
          <ChatBlocked />
        ) : (
          <Composer busy={chat.busy} conversationId={chat.activeId} onSend={(message) => void chat.send(message)} onStop={chat.stop} inputRef={input} />
        )}
      </section>
    </div>
  );
}

export default function ChatPage() {
  const { t } = useI18n();
  return (
    <AppShell wide>
      <h1 className="sr-only">{t('navChat')}</h1>
      <Chat />
    </AppShell>
  );
}
