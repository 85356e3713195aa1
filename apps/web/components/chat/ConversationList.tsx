'use client';

import { useI18n } from '@/lib/i18n';
import { useConversations } from '@/lib/queries';
import type { UsageView } from '@consult-on/api-contract';
import { UsageSummary } from './UsageSummary';

interface ConversationListProps {
  activeId: string | null;
  usage: UsageView | undefined;
  onOpen: (id: string) => void;
  onNew: () => void;
}

/** The side panel: a new-conversation button, the usage in brief and the latest 50 conversations. */
export function ConversationList({ activeId, usage, onOpen, onNew }: ConversationListProps) {
  const { t, df, nf } = useI18n();
  const conversations = useConversations();
  return (
    <aside className="card self-start p-3! md:max-h-[calc(100vh-8rem)] md:overflow-y-auto" aria-labelledby="conversations-title">
      <div className="mb-2 flex items-center justify-between gap-2">
        <h2 id="conversations-title" className="font-bold">
          {t('conversations')}
        </h2>
        <button type="button" className="btn btn-secondary px-3! py-1!" onClick={onNew} data-testid="new-conversation">
          + {t('newConversation')}
        </button>
      </div>
      {usage && <UsageSummary usage={usage} />}
      <ul className="flex gap-1 overflow-x-auto md:flex-col md:overflow-visible" data-testid="conversation-list">
        {conversations.data?.items.map((c) => (
          <li key={c.id} className="shrink-0 md:shrink">
            <button
              type="button"
              onClick={() => onOpen(c.id)}
              aria-current={c.id === activeId ? 'true' : undefined}
              className={`w-full max-w-56 rounded-lg px-3 py-2 text-left text-sm md:max-w-none ${c.id === activeId ? 'bg-blue-100 text-blue-950' : 'hover:bg-slate-100'}`}
            >
              <span className="block truncate font-medium">{c.title}</span>
              <span className="block text-xs text-slate-600">
                {df(c.updatedAt, true)} · {nf(c.chargedTokens)}
              </span>
            </button>
          </li>
        ))}
        {conversations.data && conversations.data.items.length === 0 && <li className="p-2 text-sm text-slate-600">{t('noConversations')}</li>}
      </ul>
    </aside>
  );
}
