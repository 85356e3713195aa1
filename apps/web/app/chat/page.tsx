'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { AppShell } from '@/components/AppShell';
import { levelStyle, percentText, UsageBanner } from '@/components/UsageCard';
import { api, ApiError, errorOf, handleUnauthorized, headers } from '@/lib/api';
import { useI18n } from '@/lib/i18n';
import { usageKey, useUsage } from '@/lib/queries';
import { readSse } from '@/lib/sse';
import type { Conversation, ConversationSummary, Estimate, TokenWarning, TurnUsage } from '@/lib/types';

interface ChatMessage {
  key: string;
  role: 'user' | 'assistant';
  content: string;
  usage?: TurnUsage | null;
  warning?: TokenWarning | null;
  streaming?: boolean;
  error?: string;
}

const warningStyle = { WARNING: 'border-orange-500 bg-orange-50 text-orange-950', CRITICAL: 'border-red-600 bg-red-50 text-red-950', BLOCKED: 'border-red-800 bg-red-100 text-red-950' };

function Receipt({ usage }: { usage: TurnUsage }) {
  const { t, nf } = useI18n();
  return (
    <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 rounded-lg bg-slate-100 p-3 text-xs sm:grid-cols-3" data-testid="receipt">
      <div>
        <dt className="text-slate-600">{t('promptTokens')}</dt>
        <dd className="font-semibold tabular-nums">{nf(usage.promptTokens)}</dd>
      </div>
      <div>
        <dt className="text-slate-600">{t('completionTokens')}</dt>
        <dd className="font-semibold tabular-nums">{nf(usage.completionTokens)}</dd>
      </div>
      <div>
        <dt className="text-slate-600">{t('chargedTokens')}</dt>
        <dd className="font-bold tabular-nums">{nf(usage.chargedTokens)}</dd>
      </div>
      <div>
        <dt className="text-slate-600">{t('fromPurchased')}</dt>
        <dd className="tabular-nums">{nf(usage.purchasedTokens)}</dd>
      </div>
      <div>
        <dt className="text-slate-600">{t('fromFree')}</dt>
        <dd className="tabular-nums">{nf(usage.freeTokens)}</dd>
      </div>
      {usage.overageTokens > 0 && (
        <div>
          <dt className="text-slate-600">{t('fromOverage')}</dt>
          <dd className="tabular-nums">{nf(usage.overageTokens)}</dd>
        </div>
      )}
      {usage.estimated && <p className="col-span-full text-slate-600">{t('estimatedCharge')}</p>}
    </dl>
  );
}

function Bubble({ message }: { message: ChatMessage }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const mine = message.role === 'user';
  return (
    <li className={`flex ${mine ? 'justify-end' : 'justify-start'}`} data-testid={mine ? 'user-message' : 'assistant-message'}>
      <div className={`max-w-[90%] sm:max-w-[75%]`}>
        <p className="sr-only">{mine ? t('you') : t('assistant')}</p>
        <div className={`rounded-2xl px-4 py-2 whitespace-pre-wrap ${mine ? 'bg-blue-700 text-white' : 'border border-slate-200 bg-white text-slate-900'}`}>
          {message.content || (message.streaming ? '…' : '')}
          {message.streaming && <span className="ml-1 inline-block h-4 w-2 animate-pulse bg-slate-400 align-middle" aria-hidden />}
        </div>
        {message.error && (
          <p role="alert" className="mt-1 text-sm text-red-800">
            {message.error}
          </p>
        )}
        {message.warning && (
          <div role="alert" data-testid="inline-warning" className={`mt-2 rounded-lg border-l-4 p-2 text-sm ${warningStyle[message.warning.level] ?? warningStyle.WARNING}`}>
            {message.warning.message}{' '}
            <Link href="/purchase/" className="font-semibold underline">
              {t('buyTokens')}
            </Link>
          </div>
        )}
        {!mine && message.usage && (
          <>
            <button type="button" className="mt-1 text-xs font-medium text-slate-700 underline" aria-expanded={open} onClick={() => setOpen((v) => !v)} data-testid="receipt-toggle">
              {open ? t('hideReceipt') : `${t('receipt')} · ${message.usage.chargedTokens.toLocaleString()}`}
            </button>
            {open && <Receipt usage={message.usage} />}
          </>
        )}
      </div>
    </li>
  );
}

function CostPreview({ text, conversationId }: { text: string; conversationId: string | null }) {
  const { t, nf, lang } = useI18n();
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  useEffect(() => {
    if (!text.trim()) {
      setEstimate(null);
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      api<Estimate>('/api/chat/estimate', { body: { message: text, ...(conversationId ? { conversationId } : {}) }, signal: controller.signal })
        .then(setEstimate)
        .catch(() => undefined);
    }, 400);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [text, conversationId]);
  if (!estimate || !text.trim()) return <p className="min-h-5 text-xs text-slate-600" aria-live="polite" />;
  return (
    <p className="min-h-5 text-xs text-slate-700" aria-live="polite" data-testid="cost-preview">
      {t('costPreview')}: {t('costTypical')} ~{nf(estimate.typicalChargeTokens)} · {t('costMax')} {nf(estimate.maxChargeTokens)}
      {estimate.shareOfRemainingPercent !== null && ` · ${t('costShare')} ${percentText(estimate.shareOfRemainingPercent, lang)}`}
      {!estimate.allowed && <strong className="ml-2 text-red-800">{t('costNotAllowed')}</strong>}
    </p>
  );
}

function Chat() {
  const { t, df, nf, lang } = useI18n();
  const client = useQueryClient();
  const usage = useUsage();
  const conversations = useQuery({
    queryKey: ['conversations'],
    queryFn: () => api<{ items: ConversationSummary[]; total: number }>('/api/chat/conversations?limit=50'),
  });
  const [activeId, setActiveId] = useState<string | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [loadingConversation, setLoadingConversation] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const listEnd = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  const open = useCallback(async (id: string | null) => {
    abort.current?.abort();
    setActiveId(id);
    setRefusal(null);
    window.history.replaceState(null, '', id ? `/chat/?c=${id}` : '/chat/');
    if (!id) {
      setMessages([]);
      input.current?.focus();
      return;
    }
    setLoadingConversation(true);
    try {
      const conversation = await api<Conversation>(`/api/chat/conversations/${id}`);
      setMessages(conversation.messages.map((m) => ({ key: `m${m.id}`, role: m.role, content: m.content, usage: m.usage })));
    } catch (error) {
      setMessages([]);
      setRefusal(error instanceof Error ? error.message : String(error));
    } finally {
      setLoadingConversation(false);
    }
  }, []);

  useEffect(() => {
    const id = new URLSearchParams(window.location.search).get('c');
    if (id) void open(id);
    return () => abort.current?.abort();
  }, [open]);

  useEffect(() => {
    listEnd.current?.scrollIntoView({ block: 'end' });
  }, [messages]);

  const update = (key: string, change: (message: ChatMessage) => ChatMessage) => setMessages((list) => list.map((m) => (m.key === key ? change(m) : m)));

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const message = text.trim();
    if (!message || busy) return;
    setBusy(true);
    setRefusal(null);
    const stamp = Date.now();
    const replyKey = `a${stamp}`;
    setMessages((list) => [...list, { key: `u${stamp}`, role: 'user', content: message }, { key: replyKey, role: 'assistant', content: '', streaming: true }]);
    setText('');
    const controller = new AbortController();
    abort.current = controller;
    try {
      const response = await fetch('/api/chat/stream', {
        method: 'POST',
        headers: headers({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
        body: JSON.stringify({ message, ...(activeId ? { conversationId: activeId } : {}) }),
        signal: controller.signal,
      });
      if (!response.ok || !response.body) {
        const error = await errorOf(response);
        if (response.status === 401) handleUnauthorized();
        throw error;
      }
      await readSse(
        response.body,
        (sse) => {
          const data = JSON.parse(sse.data) as Record<string, unknown>;
          if (sse.event === 'start' && typeof data.conversationId === 'string') {
            if (data.conversationId !== activeId) {
              setActiveId(data.conversationId);
              window.history.replaceState(null, '', `/chat/?c=${data.conversationId}`);
            }
          } else if (sse.event === 'delta') {
            update(replyKey, (m) => ({ ...m, content: m.content + String(data.text ?? '') }));
          } else if (sse.event === 'usage') {
            update(replyKey, (m) => ({ ...m, usage: data.usage as TurnUsage, warning: (data.warning as TokenWarning | null) ?? null }));
          } else if (sse.event === 'error') {
            update(replyKey, (m) => ({ ...m, error: String(data.message ?? data.code ?? 'error') }));
          }
        },
        controller.signal,
      );
    } catch (error) {
      if (!controller.signal.aborted) {
        const text = error instanceof ApiError ? error.message : t('errorGeneric');
        if (error instanceof ApiError && (error.status === 402 || error.status === 400 || error.status === 429)) {
          setRefusal(text);
          setMessages((list) => list.filter((m) => m.key !== replyKey));
        } else {
          update(replyKey, (m) => ({ ...m, error: text }));
        }
      }
    } finally {
      update(replyKey, (m) => ({ ...m, streaming: false }));
      setBusy(false);
      abort.current = null;
      void client.invalidateQueries({ queryKey: usageKey });
      void client.invalidateQueries({ queryKey: ['conversations'] });
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  const blocked = usage.data ? !usage.data.chatAllowed : false;

  return (
    <div className="grid gap-4 md:grid-cols-[16rem_1fr]">
      <aside className="card self-start p-3! md:max-h-[calc(100vh-8rem)] md:overflow-y-auto" aria-labelledby="conversations-title">
        <div className="mb-2 flex items-center justify-between gap-2">
          <h2 id="conversations-title" className="font-bold">
            {t('conversations')}
          </h2>
          <button type="button" className="btn btn-secondary px-3! py-1!" onClick={() => void open(null)} data-testid="new-conversation">
            + {t('newConversation')}
          </button>
        </div>
        {usage.data && (
          <Link href="/dashboard/" className="mb-3 block rounded-lg bg-slate-50 p-2 text-xs" data-testid="chat-usage" data-level={usage.data.level}>
            <span className="flex justify-between font-semibold">
              <span>{t('usageTitle')}</span>
              <span data-testid="chat-usage-percent">{percentText(usage.data.usagePercent, lang)}</span>
            </span>
            <span className="mt-1 block h-2 overflow-hidden rounded-full bg-slate-200">
              <span className={`block h-full ${levelStyle[usage.data.level].bar}`} style={{ width: `${Math.min(100, usage.data.usagePercent)}%` }} />
            </span>
            <span className="mt-1 block text-slate-700">
              {t('remaining')} <strong data-testid="chat-remaining">{nf(Math.max(0, usage.data.remainingTokens))}</strong>
            </span>
          </Link>
        )}
        <ul className="flex gap-1 overflow-x-auto md:flex-col md:overflow-visible" data-testid="conversation-list">
          {conversations.data?.items.map((c) => (
            <li key={c.id} className="shrink-0 md:shrink">
              <button
                type="button"
                onClick={() => void open(c.id)}
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
      <section className="flex min-h-[60vh] flex-col" aria-label={t('navChat')}>
        {usage.data && <UsageBanner usage={usage.data} />}
        <div className="card flex-1 overflow-y-auto p-3! sm:p-4!">
          {loadingConversation ? (
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
          <div ref={listEnd} />
        </div>
        {refusal && (
          <p role="alert" className="mt-2 rounded-lg bg-red-100 p-3 text-sm text-red-900" data-testid="chat-refusal">
            {refusal}
          </p>
        )}
        {blocked ? (
          <div className="mt-3 rounded-xl border-2 border-red-700 bg-red-50 p-4" data-testid="chat-blocked">
            <h2 className="font-bold text-red-900">{t('chatBlockedTitle')}</h2>
            <p className="mt-1 text-sm text-red-950">{t('chatBlockedBody')}</p>
            <Link href="/purchase/" className="btn btn-danger mt-3">
              {t('goPurchase')}
            </Link>
          </div>
        ) : (
          <form onSubmit={send} className="mt-3">
            <label htmlFor="message" className="sr-only">
              {t('messageLabel')}
            </label>
            <div className="flex items-end gap-2">
              <textarea
                id="message"
                ref={input}
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
                <button key="stop" type="button" className="btn btn-secondary" onClick={() => abort.current?.abort()}>
                  {t('stop')}
                </button>
              ) : (
                <button key="send" type="submit" className="btn btn-primary" disabled={!text.trim()} data-testid="send-button">
                  {t('send')}
                </button>
              )}
            </div>
            <CostPreview text={text} conversationId={activeId} />
          </form>
        )}
      </section>
    </div>
  );
}

export default function ChatPage() {
  return (
    <AppShell wide>
      <h1 className="sr-only">AI 상담</h1>
      <Chat />
    </AppShell>
  );
}
