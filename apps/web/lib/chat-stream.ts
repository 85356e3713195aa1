'use client';

import { parseChatEvent, type ConversationView, type TokenWarningView, type TurnUsageView } from '@consult-on/api-contract';
import { skipToken, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, errorOf, handleUnauthorized, headers } from './api';
import { useI18n } from './i18n';
import { queryKeys } from './queries';
import { readSse } from './sse';

/** A message as the chat shows it: a stored one, or one of the turn being streamed. */
export interface ChatMessage {
  key: string;
  role: 'user' | 'assistant';
  content: string;
  usage?: TurnUsageView | null;
  warning?: TokenWarningView | null;
  streaming?: boolean;
  error?: string;
}

/** A turn refused as invalid, over quota or too frequent: the empty reply goes and the reason is shown above the box. */
const refusalStatuses = new Set([400, 402, 429]);

async function loadConversation(id: string): Promise<ChatMessage[]> {
  const conversation = await api<ConversationView>(`/api/chat/conversations/${id}`);
  return conversation.messages.map((m) => ({ key: `m${m.id}`, role: m.role, content: m.content, usage: m.usage }));
}

/** Posts a turn and returns its event stream; a refusal throws its ApiError (a 401 after sending the user to login). */
async function postTurn(message: string, conversationId: string | null, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const response = await fetch('/api/chat/stream', {
    method: 'POST',
    headers: headers({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
    body: JSON.stringify({ message, ...(conversationId ? { conversationId } : {}) }),
    signal,
  });
  if (!response.ok || !response.body) {
    const error = await errorOf(response);
    if (response.status === 401) handleUnauthorized();
    throw error;
  }
  return response.body;
}

/**
 * The open conversation and the turn being streamed into it. The messages live in the query
 * cache under `queryKeys.conversation(id)`: loaded once, never refetched while open (the stream
 * keeps them current and its warnings exist nowhere else), and each turn writes its events there.
 */
export function useChatStream() {
  const { t } = useI18n();
  const client = useQueryClient();
  const [activeId, setActiveId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const conversation = useQuery({
    queryKey: queryKeys.conversation(activeId),
    queryFn: activeId === null ? skipToken : () => loadConversation(activeId),
    staleTime: Infinity,
  });

  const open = useCallback(
    (id: string | null) => {
      abort.current?.abort();
      // A new conversation starts empty, even after a first message that was refused.
      if (id === null) client.setQueryData<ChatMessage[]>(queryKeys.conversation(null), []);
      setActiveId(id);
      setRefusal(null);
      window.history.replaceState(null, '', id ? `/chat/?c=${id}` : '/chat/');
    },
    [client],
  );

  useEffect(() => {
    open(new URLSearchParams(window.location.search).get('c'));
    return () => abort.current?.abort();
  }, [open]);

  const send = async (message: string) => {
    if (busy) return;
    setBusy(true);
    setRefusal(null);
    const stamp = Date.now();
    const replyKey = `a${stamp}`;
    // The turn writes to the conversation it was sent in, which for a new one is known at `start`.
    let conversationId = activeId;
    const edit = (change: (messages: ChatMessage[]) => ChatMessage[]) =>
      client.setQueryData<ChatMessage[]>(queryKeys.conversation(conversationId), (messages = []) => change(messages));
    const editReply = (change: (reply: ChatMessage) => ChatMessage) => edit((messages) => messages.map((m) => (m.key === replyKey ? change(m) : m)));
    edit((messages) => [...messages, { key: `u${stamp}`, role: 'user', content: message }, { key: replyKey, role: 'assistant', content: '', streaming: true }]);
    const controller = new AbortController();
    abort.current = controller;
    try {
      const body = await postTurn(message, conversationId, controller.signal);
      await readSse(
        body,
        (sse) => {
          const frame = parseChatEvent(sse.event, sse.data);
          if (frame?.event === 'start') {
            const started = frame.data.conversationId;
            if (started === conversationId) return;
            client.setQueryData(queryKeys.conversation(started), client.getQueryData<ChatMessage[]>(queryKeys.conversation(conversationId)));
            conversationId = started;
            setActiveId(started);
            window.history.replaceState(null, '', `/chat/?c=${started}`);
          } else if (frame?.event === 'delta') {
            editReply((m) => ({ ...m, content: m.content + frame.data.text }));
          } else if (frame?.event === 'usage') {
            editReply((m) => ({ ...m, usage: frame.data.usage, warning: frame.data.warning }));
          } else if (frame?.event === 'error') {
            editReply((m) => ({ ...m, error: frame.data.message || frame.data.code }));
          }
        },
        controller.signal,
      );
    } catch (error) {
      if (!controller.signal.aborted) {
        const text = error instanceof ApiError ? error.message : t('errorGeneric');
        if (error instanceof ApiError && refusalStatuses.has(error.status)) {
          setRefusal(text);
          edit((messages) => messages.filter((m) => m.key !== replyKey));
        } else {
          editReply((m) => ({ ...m, error: text }));
        }
      }
    } finally {
      editReply((m) => ({ ...m, streaming: false }));
      setBusy(false);
      abort.current = null;
      void client.invalidateQueries({ queryKey: queryKeys.usage() });
      void client.invalidateQueries({ queryKey: queryKeys.conversations() });
    }
  };

  return {
    activeId,
    messages: conversation.data ?? [],
    loading: conversation.isLoading,
    busy,
    refusal: refusal ?? conversation.error?.message ?? null,
    open,
    send,
    stop: () => abort.current?.abort(),
  };
}
