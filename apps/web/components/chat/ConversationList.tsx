'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api } from '@/lib/api';
import { groupByDate, type DateGroup } from '@/lib/conversation-groups';
import { errorText } from '@/lib/error-text';
import { useI18n, type Key } from '@/lib/i18n';
import { queryKeys, useConversations } from '@/lib/queries';
import { collapseWhitespace } from '@/lib/text';
import type { ConversationPageView, ConversationSummaryView, UsageView } from '@consult-on/api-contract';
import { UsageSummary } from './UsageSummary';

export interface ConversationListProps {
  activeId: string | null;
  /** The workspace whose conversations are listed (null or absent: one's own account). */
  organizationId?: string | null;
  /** False until the workspace is known: nothing is listed for a workspace that may not be the one in use. */
  workspaceKnown?: boolean;
  usage: UsageView | undefined;
  /** The usage summary's title, when it is an organization's pool. */
  usageTitle?: string;
  onOpen: (id: string) => void;
  onNew: () => void;
  /** After a conversation was deleted. Without it, deleting the open conversation starts a new one (`onNew`). */
  onDeleted?: (id: string) => void;
  /** After a conversation was renamed, with its new summary. */
  onRenamed?: (conversation: ConversationSummaryView) => void;
  /** Classes for the panel, replacing its own sizing (a drawer on phones, say). */
  className?: string;
}

/** Characters a title may have (PATCH /api/chat/conversations/:id). */
const TITLE_MAX_LENGTH = 100;
/** Characters a search may have (GET /api/chat/conversations?q=). */
const QUERY_MAX_LENGTH = 100;
const SEARCH_DELAY_MS = 250;

const GROUP_KEYS: Record<DateGroup, Key> = {
  today: 'convGroupToday',
  yesterday: 'convGroupYesterday',
  week: 'convGroupWeek',
  older: 'convGroupOlder',
};

/** `text` once it has stopped changing for `delay` ms. */
function useSettled(text: string, delay: number): string {
  const [settled, setSettled] = useState(text);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(text), delay);
    return () => clearTimeout(timer);
  }, [text, delay]);
  return settled;
}

/** Every cached page of the list (the latest 50 and each search) with `change` applied to it. */
function updateLists(client: ReturnType<typeof useQueryClient>, change: (page: ConversationPageView) => ConversationPageView) {
  client.setQueriesData<ConversationPageView>({ queryKey: queryKeys.conversations() }, (page) => (page && Array.isArray(page.items) ? change(page) : page));
}

/**
 * The side panel: a new-conversation button, the usage in brief, a search over titles and
 * messages, and the latest 50 conversations grouped by the reader's local day (오늘 / 어제 /
 * 지난 7일 / 이전), each renamable in place and deletable after a confirmation. The actions of an
 * item show on hover, on keyboard focus and on touch screens; on its button F2 renames and
 * Delete deletes.
 */
export function ConversationList({ activeId, organizationId = null, workspaceKnown = true, usage, usageTitle, onOpen, onNew, onDeleted, onRenamed, className }: ConversationListProps) {
  const { t, df, nf } = useI18n();
  const client = useQueryClient();
  const searchId = useId();
  const [search, setSearch] = useState('');
  const query = useSettled(search.trim(), SEARCH_DELAY_MS);
  const latest = useConversations(organizationId, workspaceKnown);
  const found = useQuery({
    queryKey: queryKeys.conversationSearch(organizationId, query),
    queryFn: () => api<ConversationPageView>(`/api/chat/conversations?limit=50&q=${encodeURIComponent(query)}${organizationId ? `&organizationId=${encodeURIComponent(organizationId)}` : ''}`),
    enabled: query.length > 0,
    staleTime: 10_000,
  });
  const searching = query.length > 0;
  const conversations = searching ? found : latest;
  const items = conversations.data?.items ?? [];
  const groups = groupByDate(items, new Date());

  const [renaming, setRenaming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<ConversationSummaryView | null>(null);
  const openButtons = useRef(new Map<string, HTMLButtonElement>());
  const panel = useRef<HTMLElement>(null);
  const focusItem = (id: string) => requestAnimationFrame(() => openButtons.current.get(id)?.focus());

  const rename = useMutation({
    mutationFn: ({ id, title }: { id: string; title: string }) => api<ConversationSummaryView>(`/api/chat/conversations/${id}`, { method: 'PATCH', body: { title } }),
    onSuccess: (renamed) => {
      updateLists(client, (page) => ({ ...page, items: page.items.map((item) => (item.id === renamed.id ? { ...item, title: renamed.title } : item)) }));
      onRenamed?.(renamed);
    },
  });

  const remove = useMutation({
    mutationFn: (id: string) => api<void>(`/api/chat/conversations/${id}`, { method: 'DELETE' }),
    onSuccess: (_, id) => {
      updateLists(client, (page) => ({ items: page.items.filter((item) => item.id !== id), total: Math.max(0, page.total - (page.items.some((item) => item.id === id) ? 1 : 0)) }));
      void client.invalidateQueries({ queryKey: queryKeys.conversations() });
      client.removeQueries({ queryKey: queryKeys.conversation(id) });
      // The history links its usage to conversations: this one's link is gone.
      void client.invalidateQueries({ queryKey: queryKeys.history() });
      setDeleting(null);
      if (onDeleted) onDeleted(id);
      else if (id === activeId) onNew();
      requestAnimationFrame(() => panel.current?.querySelector<HTMLElement>('[data-testid="new-conversation"]')?.focus());
    },
  });

  const startRename = (id: string) => {
    rename.reset();
    setRenaming(id);
  };
  const finishRename = (conversation: ConversationSummaryView, title: string | null) => {
    setRenaming(null);
    focusItem(conversation.id);
    const cleaned = title === null ? undefined : collapseWhitespace(title);
    if (!cleaned || cleaned === conversation.title) return;
    rename.mutate({ id: conversation.id, title: [...cleaned].slice(0, TITLE_MAX_LENGTH).join('') });
  };
  const askDelete = (conversation: ConversationSummaryView) => {
    remove.reset();
    setDeleting(conversation);
  };
  const itemKeys = (conversation: ConversationSummaryView) => (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key === 'F2') {
      event.preventDefault();
      startRename(conversation.id);
    } else if (event.key === 'Delete') {
      event.preventDefault();
      askDelete(conversation);
    }
  };

  return (
    <aside ref={panel} className={className ?? 'card min-w-0 self-start p-3! md:max-h-[calc(100vh-8rem)] md:overflow-y-auto'} aria-labelledby="conversations-title">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h2 id="conversations-title" className="font-bold">
          {t('conversations')}
        </h2>
        <button type="button" className="btn btn-secondary px-3! py-1!" onClick={onNew} data-testid="new-conversation">
          <span aria-hidden>+</span> {t('newConversation')}
        </button>
      </div>
      {usage && <UsageSummary usage={usage} title={usageTitle} />}
      <div role="search" className="relative mb-2">
        <label htmlFor={searchId} className="sr-only">
          {t('convSearchLabel')}
        </label>
        <input
          id={searchId}
          type="search"
          className="input py-1.5! pr-8 text-sm!"
          placeholder={t('convSearchPlaceholder')}
          value={search}
          maxLength={QUERY_MAX_LENGTH}
          onChange={(event) => setSearch(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape' && search) {
              event.preventDefault();
              setSearch('');
            }
          }}
          data-testid="conversation-search"
        />
      </div>
      <p className="sr-only" aria-live="polite">
        {searching && found.data ? (found.data.total > 0 ? t('convSearchCount', { n: nf(found.data.total) }) : t('convSearchNone')) : ''}
      </p>
      {(rename.isError || remove.isError) && !deleting && (
        <p role="alert" className="mb-2 rounded bg-red-100 p-2 text-sm text-red-900" data-testid="conversation-error">
          {rename.isError ? `${t('convRenameFailed')} ${errorText(rename.error, t)}` : `${t('convDeleteFailed')} ${errorText(remove.error, t)}`}
        </p>
      )}
      <div data-testid="conversation-list" aria-busy={conversations.isFetching || undefined}>
        {groups.map(({ group, items: inGroup }) => (
          <section key={group} aria-labelledby={`conversation-group-${group}`} className="mb-2" data-testid="conversation-group" data-group={group}>
            <h3 id={`conversation-group-${group}`} className="px-3 pt-1 pb-0.5 text-xs font-semibold text-slate-600">
              {t(GROUP_KEYS[group])}
            </h3>
            <ul className="flex flex-col gap-0.5">
              {inGroup.map((c) => (
                <li key={c.id} className="group relative flex min-w-0 items-center" data-testid="conversation-item" data-conversation-id={c.id}>
                  {renaming === c.id ? (
                    <RenameForm conversation={c} onDone={(title) => finishRename(c, title)} />
                  ) : (
                    <>
                      <button
                        type="button"
                        ref={(element) => {
                          if (element) openButtons.current.set(c.id, element);
                          else openButtons.current.delete(c.id);
                        }}
                        onClick={() => onOpen(c.id)}
                        onKeyDown={itemKeys(c)}
                        aria-keyshortcuts="F2 Delete"
                        aria-current={c.id === activeId ? 'true' : undefined}
                        className={`w-full min-w-0 rounded-lg px-3 py-2 text-left text-sm group-focus-within:pr-20 group-hover:pr-20 [@media(hover:none)]:pr-20 ${c.id === activeId ? 'bg-blue-100 text-blue-950' : 'hover:bg-slate-100'}`}
                      >
                        <span className="block truncate font-medium" data-testid="conversation-title">
                          {rename.isPending && rename.variables?.id === c.id ? rename.variables.title : c.title}
                        </span>
                        <span className="block truncate text-xs text-slate-600">
                          {c.archived && (
                            <span className="mr-1 rounded bg-slate-200 px-1 font-medium text-slate-700" data-testid="conversation-archived">
                              {t('chatArchivedBadge')}
                            </span>
                          )}
                          {df(c.updatedAt, true)} · {t('tokensCount', { n: nf(c.chargedTokens) })}
                        </span>
                      </button>
                      {/* Shown on hover, while the item has keyboard focus, and always on touch screens. */}
                      <div className="absolute top-1/2 right-1 hidden -translate-y-1/2 gap-0.5 rounded-lg bg-white/95 p-0.5 shadow-sm group-focus-within:flex group-hover:flex [@media(hover:none)]:flex">
                        <button
                          type="button"
                          className="rounded-md px-2 py-1 text-sm text-slate-700 hover:bg-slate-200"
                          aria-label={t('convRenameOf', { title: c.title })}
                          title={t('convRename')}
                          onClick={() => startRename(c.id)}
                          data-testid="conversation-rename"
                        >
                          <span aria-hidden="true">✎</span>
                        </button>
                        <button
                          type="button"
                          className="rounded-md px-2 py-1 text-sm text-red-800 hover:bg-red-100"
                          aria-label={t('convDeleteOf', { title: c.title })}
                          title={t('convDelete')}
                          onClick={() => askDelete(c)}
                          data-testid="conversation-delete"
                        >
                          <span aria-hidden="true">🗑</span>
                        </button>
                      </div>
                    </>
                  )}
                </li>
              ))}
            </ul>
          </section>
        ))}
        {conversations.data && items.length === 0 && <p className="p-2 text-sm text-slate-600">{searching ? t('convSearchNone') : t('noConversations')}</p>}
      </div>
      {deleting && (
        <DeleteDialog
          conversation={deleting}
          pending={remove.isPending}
          error={remove.isError ? `${t('convDeleteFailed')} ${errorText(remove.error, t)}` : null}
          onConfirm={() => remove.mutate(deleting.id)}
          onCancel={() => {
            setDeleting(null);
            focusItem(deleting.id);
          }}
        />
      )}
    </aside>
  );
}

/** The title in an input in place of the item: Enter (or leaving the field) saves, Escape cancels. */
function RenameForm({ conversation, onDone }: { conversation: ConversationSummaryView; onDone: (title: string | null) => void }) {
  const { t } = useI18n();
  const [title, setTitle] = useState(conversation.title);
  const done = useRef(false);
  const input = useRef<HTMLInputElement>(null);
  const hintId = useId();
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const finish = (value: string | null) => {
    if (done.current) return;
    done.current = true;
    onDone(value);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    finish(title);
  };
  return (
    <form className="w-full min-w-0 px-1 py-1" onSubmit={submit} data-testid="conversation-rename-form">
      <input
        ref={input}
        className="input py-1! text-sm!"
        aria-label={t('convRenameLabel')}
        aria-describedby={hintId}
        value={title}
        maxLength={TITLE_MAX_LENGTH}
        required
        onChange={(event) => setTitle(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            finish(null);
          }
        }}
        onBlur={() => finish(title)}
        data-testid="conversation-rename-input"
      />
      <span id={hintId} className="sr-only">
        {t('convRenameHint')}
      </span>
    </form>
  );
}

/** Asks before deleting, and says that the usage record stays. */
function DeleteDialog({
  conversation,
  pending,
  error,
  onConfirm,
  onCancel,
}: {
  conversation: ConversationSummaryView;
  pending: boolean;
  error: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    cancel.current?.focus();
    return () => element?.close();
  }, []);
  return (
    <dialog
      ref={dialog}
      aria-labelledby="delete-conversation-title"
      aria-describedby="delete-conversation-body"
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl p-0 break-keep shadow-2xl backdrop:bg-slate-900/50"
      onCancel={(event) => {
        event.preventDefault();
        if (!pending) onCancel();
      }}
      data-testid="delete-conversation-dialog"
    >
      <div className="p-6">
        <h2 id="delete-conversation-title" className="text-lg font-bold">
          {t('convDeleteTitle')}
        </h2>
        <div id="delete-conversation-body" className="mt-2 space-y-2 text-sm text-slate-800">
          <p className="break-words">{t('convDeleteBody', { title: conversation.title })}</p>
          <p className="rounded-lg bg-slate-100 p-2 text-slate-800" data-testid="delete-keeps-usage">
            {t('convDeleteKeepsUsage')}
          </p>
        </div>
        {error && (
          <p role="alert" className="mt-3 rounded bg-red-100 p-2 text-sm text-red-900">
            {error}
          </p>
        )}
        <div className="mt-6 flex flex-wrap justify-end gap-2">
          <button ref={cancel} type="button" className="btn btn-secondary" onClick={onCancel} disabled={pending}>
            {t('convCancel')}
          </button>
          <button type="button" className="btn btn-danger" onClick={onConfirm} disabled={pending} data-testid="delete-conversation-confirm">
            {pending ? t('convDeleting') : t('convDeleteConfirm')}
          </button>
        </div>
      </div>
    </dialog>
  );
}
