'use client';

import { skipToken, useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AppShell } from '@/components/AppShell';
import { ChatBlocked, type ChatBlockedReason } from '@/components/chat/ChatBlocked';
import { ChatScrollPane } from '@/components/chat/ChatScrollPane';
import { ArchivedNotice } from '@/components/chat/ArchivedNotice';
import { Composer } from '@/components/chat/Composer';
import { ConversationDrawer, drawerPanelClass } from '@/components/chat/ConversationDrawer';
import { ConversationList } from '@/components/chat/ConversationList';
import { MessageList } from '@/components/chat/MessageList';
import { ModelPicker } from '@/components/chat/ModelPicker';
import { UsageBanner } from '@/components/UsageCard';
import { useDraft, writeDraft } from '@/lib/chat-draft';
import { useModelChoice } from '@/lib/chat-models';
import { useChatStream } from '@/lib/chat-stream';
import { useI18n } from '@/lib/i18n';
import { queryKeys, useConversations, useWorkspaceUsage, type WorkspaceUsage } from '@/lib/queries';
import { useFillHeight } from '@/lib/use-fill-height';
import { chatRefusal, setTurnInFlight, useWorkspace, workspaceOrganizationId } from '@/lib/workspace';

/** Why the message box is replaced, in the workspace's terms; null while chat is open. */
function blockedReason(current: WorkspaceUsage | undefined): ChatBlockedReason | null {
  if (!current) return null;
  const { workspace, usage, member } = current;
  const refusal = chatRefusal(usage, member, workspace);
  if (!refusal) return null;
  if (workspace.kind === 'personal' || refusal === 'ACCOUNT') return { kind: 'ACCOUNT' };
  if (refusal === 'MEMBER') return { kind: 'MEMBER', name: workspace.name, limitTokens: member?.monthlyLimitTokens ?? 0 };
  return { kind: 'ORGANIZATION', name: workspace.name };
}

/**
 * The chat: as tall as the window, with the conversation list beside it (a drawer on small
 * screens), the messages in their own scrolling pane and the message box always at the bottom.
 * Every usage figure on the page comes from the one usage snapshot of the workspace in use
 * (`useWorkspaceUsage`): one's own account or an organization's pool. New conversations start in
 * that workspace, the list shows its conversations, and switching it starts a new conversation.
 */
function Chat() {
  const { t } = useI18n();
  const { workspace, organizations, choose } = useWorkspace();
  const organizationId = workspace ? workspaceOrganizationId(workspace) : null;
  const workspaceUsage = useWorkspaceUsage(workspace);
  const usage = { data: workspaceUsage.data?.usage };
  const member = workspaceUsage.data?.member ?? null;
  const chat = useChatStream(organizationId);
  const conversations = useConversations(organizationId, !!workspace);
  const serverModel = conversations.data?.items.find((c) => c.id === chat.activeId)?.model;
  const { models, model, setModel } = useModelChoice(chat.activeId, serverModel);
  const [draft, setDraft] = useDraft(chat.activeId);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [pin, setPin] = useState(0);
  const [frame, height] = useFillHeight<HTMLDivElement>();
  const input = useRef<HTMLTextAreaElement>(null);
  const drawerButton = useRef<HTMLButtonElement>(null);

  const closeDrawer = useCallback(() => {
    setDrawerOpen(false);
    drawerButton.current?.focus({ preventScroll: true });
  }, []);
  const openConversation = (id: string) => {
    chat.open(id);
    setDrawerOpen(false);
    input.current?.focus({ preventScroll: true });
  };
  const startNew = () => {
    chat.open(null);
    setDrawerOpen(false);
    input.current?.focus();
  };
  const send = (message: string) => {
    setPin((n) => n + 1);
    void chat.send(message, { model });
  };
  /** From the cost preview's suggestion: the question being typed moves to the new conversation. */
  const startNewWithDraft = () => {
    const text = draft;
    writeDraft(chat.activeId, '');
    startNew();
    writeDraft(null, text);
  };
  /** Regenerate and edit-and-resend: a new turn that leaves whatever is being typed in the box. */
  const resend = (message: string) => {
    setPin((n) => n + 1);
    void chat.send(message, { model, keepDraft: true });
  };
  const retry = () => {
    setPin((n) => n + 1);
    chat.retry();
  };
  const onDeleted = (id: string) => {
    writeDraft(id, '');
    if (id === chat.activeId) startNew();
  };
  // The pane follows new messages and the status of a turn that did not end normally.
  const paneContent = useMemo(() => ({ messages: chat.messages, turn: chat.turn }), [chat.messages, chat.turn]);
  // Ready to type on opening the chat; not on touch screens, where focus would pop the keyboard up over it.
  useEffect(() => {
    if (window.matchMedia('(min-width: 768px) and (hover: hover)').matches) input.current?.focus({ preventScroll: true });
  }, []);
  // Another workspace chosen (here, in the header or in another tab): its conversations are not
  // this one's, so start anew — once the answer being written (if any) has ended.
  const shownWorkspace = useRef<string | null | undefined>(undefined);
  const { open: openChat, busy } = chat;
  useEffect(() => {
    setTurnInFlight(busy);
  }, [busy]);
  useEffect(() => () => setTurnInFlight(false), []);
  useEffect(() => {
    if (!workspace || busy) return;
    if (shownWorkspace.current !== undefined && shownWorkspace.current !== organizationId) openChat(null);
    shownWorkspace.current = organizationId;
  }, [workspace, organizationId, openChat, busy]);
  // A conversation opened by its address belongs to its own workspace: the page follows it (its
  // usage, preview and refusals are that workspace's), or starts anew if the person left it.
  const { data: conversationWorkspace } = useQuery<string | null>({ queryKey: queryKeys.conversationWorkspace(chat.activeId), queryFn: skipToken });
  // An archived conversation reads as it was; the message box waits for its restore.
  const { data: archived } = useQuery<boolean>({ queryKey: queryKeys.conversationArchived(chat.activeId), queryFn: skipToken });
  useEffect(() => {
    if (!workspace || busy || chat.activeId === null || conversationWorkspace === undefined || conversationWorkspace === organizationId) return;
    if (conversationWorkspace === null || organizations.some((organization) => organization.id === conversationWorkspace)) {
      shownWorkspace.current = conversationWorkspace;
      choose(conversationWorkspace);
    } else {
      openChat(null);
    }
  }, [workspace, busy, chat.activeId, conversationWorkspace, organizationId, organizations, choose, openChat]);
  const refusal = blockedReason(workspaceUsage.data);
  // Never while an answer is being written: its Stop button stays, and its hold is not a used-up limit.
  const blocked = refusal !== null && !busy;
  const poolName = workspace?.kind === 'organization' ? workspace.name : undefined;

  return (
    <div ref={frame} style={height ? { height } : undefined} className="grid h-[calc(100dvh-9rem)] grid-cols-1 grid-rows-1 gap-4 md:grid-cols-[16rem_minmax(0,1fr)]" data-testid="chat-layout">
      <ConversationDrawer open={drawerOpen} onClose={closeDrawer}>
        <ConversationList
          activeId={chat.activeId}
          organizationId={organizationId}
          workspaceKnown={!!workspace}
          usage={usage.data}
          usageTitle={poolName !== undefined ? t('orgPoolTitle', { name: poolName }) : undefined}
          onOpen={openConversation}
          onNew={startNew}
          onDeleted={onDeleted}
          className={drawerPanelClass}
        />
      </ConversationDrawer>
      <section className="flex min-h-0 min-w-0 flex-col" aria-label={t('navChat')}>
        <div className="mb-2 flex shrink-0 items-center gap-2 md:hidden">
          <button
            ref={drawerButton}
            type="button"
            className="btn btn-secondary px-3! py-1!"
            aria-label={t('chatOpenConversationsLabel')}
            aria-expanded={drawerOpen}
            aria-controls="conversation-drawer"
            onClick={() => setDrawerOpen(true)}
            data-testid="open-conversations"
          >
            <span aria-hidden>☰</span> {t('chatOpenConversations')}
          </button>
          <button type="button" className="btn btn-secondary ml-auto px-3! py-1!" onClick={startNew} data-testid="new-conversation-top">
            <span aria-hidden>+</span> {t('newConversation')}
          </button>
        </div>
        {usage.data && (
          <div className="shrink-0">
            <UsageBanner usage={usage.data} organizationName={poolName} />
          </div>
        )}
        <ChatScrollPane content={paneContent} resetKey={chat.activeId} pin={pin}>
          <MessageList
            messages={chat.messages}
            loading={chat.loading}
            busy={chat.busy}
            onRegenerate={blocked || archived ? undefined : resend}
            onEditResend={blocked || archived ? undefined : resend}
            turn={chat.turn}
            onRetry={retry}
          />
        </ChatScrollPane>
        {chat.refusal && (
          <p role="alert" className="mt-2 shrink-0 rounded-lg bg-red-100 p-3 text-sm text-red-900" data-testid="chat-refusal">
            {chat.refusal}
          </p>
        )}
        {archived && chat.activeId ? (
          <ArchivedNotice key={chat.activeId} conversationId={chat.activeId} onRestored={() => setTimeout(() => input.current?.focus({ preventScroll: true }), 0)} />
        ) : refusal ? (
          <div className="shrink-0">
            <ChatBlocked
              reason={refusal}
              onUsePersonal={() => {
                choose(null);
                // The message box comes back in place of the notice: focus goes to it, not to the page.
                setTimeout(() => input.current?.focus({ preventScroll: true }), 0);
              }}
            />
          </div>
        ) : (
          <Composer
            text={draft}
            onTextChange={setDraft}
            busy={chat.busy}
            conversationId={chat.activeId}
            organizationId={organizationId}
            memberRemainingTokens={member?.remainingTokens ?? null}
            model={model}
            usage={usage.data}
            onSend={send}
            onStop={chat.stop}
            inputRef={input}
            tools={<ModelPicker models={models} model={model} onChange={setModel} disabled={chat.busy} />}
            onNewConversation={startNewWithDraft}
          />
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
