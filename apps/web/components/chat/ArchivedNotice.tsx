'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { toMessages } from '@/lib/chat-stream';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/queries';
import type { ConversationView } from '@consult-on/api-contract';

/**
 * In place of the message box for an archived conversation: it reads as it was; "continue"
 * restores it (its messages return, whole), and the box comes back.
 */
export function ArchivedNotice({ conversationId, onRestored }: { conversationId: string; onRestored: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const restore = useMutation({
    mutationFn: () => api<ConversationView>(`/api/chat/conversations/${conversationId}/restore`, { method: 'POST' }),
    onSuccess: (conversation) => {
      client.setQueryData(queryKeys.conversation(conversationId), toMessages(conversation));
      client.setQueryData(queryKeys.conversationArchived(conversationId), conversation.archived);
      void client.invalidateQueries({ queryKey: queryKeys.conversations() });
      onRestored();
    },
  });
  return (
    <div className="mt-2 shrink-0 rounded-lg border border-slate-200 bg-slate-50 p-3 text-sm text-slate-800" data-testid="archived-notice">
      <p>{t('chatArchived')}</p>
      <div className="mt-2 flex flex-wrap items-center gap-3">
        <button type="button" className="btn btn-primary" disabled={restore.isPending} onClick={() => restore.mutate()} data-testid="archived-continue">
          {restore.isPending ? t('chatArchivedRestoring') : t('chatArchivedContinue')}
        </button>
        {restore.isError && (
          <span role="alert" className="text-red-800">
            {errorText(restore.error, t)}
          </span>
        )}
      </div>
    </div>
  );
}
