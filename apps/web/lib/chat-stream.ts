'use client';

import { parseChatEvent, type ConversationView, type ErrorBody, type TokenWarningView, type TurnUsageView } from '@consult-on/api-contract';
import { skipToken, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, errorOf, handleUnauthorized, headers, newIdempotencyKey } from './api';
import { keepQuestion, readDraft, writeDraft } from './chat-draft';
import { rememberModel } from './chat-models';
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
  /**
   * How a turn that did not end normally left this message: a question the server never saved
   * (`unsent`, "전송 안 됨"), an answer cut off by a failure (`interrupted`) or by Stop (`stopped`).
   * `useChatStream().turn` says the rest (why, what was charged) and offers the retry.
   */
  status?: 'unsent' | 'interrupted' | 'stopped';
  /** Sent in this tab and not (yet) known to be saved by the server. */
  unsaved?: boolean;
}

/** What a turn that did not end normally cost: being checked, nothing, the tokens charged, or not known while the server is unreachable. */
export type TurnCharge = { state: 'checking' } | { state: 'none' } | { state: 'charged'; tokens: number } | { state: 'unknown' };

/** The last turn, when it did not end normally: shown under the messages with its charge and a way to send it again. */
export interface TurnProblem {
  kind: 'unsent' | 'interrupted' | 'stopped';
  question: string;
  /** Why, in the reader's language (the server's message, or ours for a lost connection); null after Stop. */
  reason: string | null;
  /** The server's error code, e.g. TOKEN_EXHAUSTED (offer a purchase) or MEMBER_LIMIT_REACHED. */
  code: string | null;
  /** What the server recommends with a refusal: PURCHASE_TOKENS, or ASK_ORGANIZATION_ADMIN (an organization's tokens or limit: nothing to buy). */
  recommendedAction?: string | null;
  charge: TurnCharge;
  /** The conversation it shows in (null: not started). */
  conversationId: string | null;
  /** Whether the question is back in the message box (it was not saved with the conversation). */
  draftKept: boolean;
  model: string | null;
  /**
   * Reused by "send again" while the server could not say whether it saved the turn: one it did
   * save is then replayed, not charged twice. Once it said (nothing saved, or what was), a retry is a new turn.
   */
  idempotencyKey: string;
  userKey: string;
  replyKey: string;
  /** Where to look for the saved turn, and how many messages were saved before it. */
  check: { conversationId: string | null; savedBefore: number; wasNew: boolean };
}

export interface SendOptions {
  model?: string | null;
  idempotencyKey?: string;
  /** Leave the message box alone (a retry of a question the person has since replaced there). */
  keepDraft?: boolean;
  /** The conversation named in the request when it differs from the open one (a retry under the first attempt's key must repeat its request). */
  requestConversationId?: string | null;
}

export function toMessages(conversation: ConversationView): ChatMessage[] {
  return conversation.messages.map((m) => ({ key: `m${m.id}`, role: m.role as ChatMessage['role'], content: m.content, usage: m.usage }));
}

/** A conversation's messages; its workspace is kept beside them (`queryKeys.conversationWorkspace`), for the page to follow. */
async function loadConversation(client: QueryClient, id: string): Promise<ChatMessage[]> {
  const conversation = await api<ConversationView>(`/api/chat/conversations/${id}`);
  client.setQueryData(queryKeys.conversationWorkspace(id), conversation.organizationId ?? null);
  client.setQueryData(queryKeys.conversationArchived(id), conversation.archived);
  return toMessages(conversation);
}

/**
 * Posts a turn and returns its event stream; a refusal throws its ApiError (a 401 after sending the
 * user to login). A new conversation starts in `organizationId`'s workspace; one continued keeps its own.
 */
async function postTurn(message: string, conversationId: string | null, organizationId: string | null, model: string | null, key: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const response = await fetch('/api/chat/stream', {
    method: 'POST',
    headers: headers({ 'Content-Type': 'application/json', Accept: 'text/event-stream', 'Idempotency-Key': key }),
    body: JSON.stringify({ message, ...(conversationId ? { conversationId } : organizationId ? { organizationId } : {}), ...(model ? { model } : {}) }),
    signal,
  });
  if (!response.ok || !response.body) {
    const error = await errorOf(response);
    if (response.status === 401) handleUnauthorized();
    throw error;
  }
  return response.body;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Lookup = { state: 'saved'; tokens: number; messages: ChatMessage[] } | { state: 'absent' } | { state: 'unreachable' };

/** Whether the server saved the turn: its conversation then has the question and an answer after the `savedBefore` messages. */
async function lookUp(conversationId: string, savedBefore: number): Promise<Lookup> {
  try {
    const conversation = await api<ConversationView>(`/api/chat/conversations/${conversationId}`);
    const last = conversation.messages.at(-1);
    if (conversation.messages.length >= savedBefore + 2 && last?.role === 'assistant') {
      return { state: 'saved', tokens: last.usage?.chargedTokens ?? 0, messages: toMessages(conversation) };
    }
    return { state: 'absent' };
  } catch (error) {
    // A conversation that was new and is not found was never saved; no answer at all: unreachable.
    return error instanceof ApiError ? { state: 'absent' } : { state: 'unreachable' };
  }
}

/**
 * A turn cut short is settled by the server once it notices (a stopped answer pays for what was
 * generated, a broken one nothing): looks a few times, `absent` only once the server answered.
 */
async function settleLookup(conversationId: string, savedBefore: number, delays: number[]): Promise<Lookup> {
  let reached = false;
  for (const delay of delays) {
    await sleep(delay);
    const found = await lookUp(conversationId, savedBefore);
    if (found.state === 'saved') return found;
    if (found.state === 'absent') reached = true;
  }
  return reached ? { state: 'absent' } : { state: 'unreachable' };
}

/**
 * The open conversation and the turn being streamed into it. The messages live in the query
 * cache under `queryKeys.conversation(id)`: loaded once, never refetched while open (the stream
 * keeps them current and its warnings exist nowhere else), and each turn writes its events there.
 * A turn that does not end normally becomes `turn`: why, what it was charged (looked up on the
 * server when it may have been), and `retry`; its question goes back to the message box unless
 * the server saved it. New conversations start in `organizationId`'s workspace (null: one's own account).
 */
export function useChatStream(organizationId: string | null = null) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [activeId, setActiveIdState] = useState<string | null>(null);
  const [busy, setBusyState] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [turn, setTurnState] = useState<TurnProblem | null>(null);
  const abort = useRef<AbortController | null>(null);
  const stopping = useRef(false);
  const busyRef = useRef(false);
  const activeRef = useRef<string | null>(null);
  const turnRef = useRef<TurnProblem | null>(null);
  const organizationRef = useRef(organizationId);
  organizationRef.current = organizationId;
  const conversation = useQuery({
    queryKey: queryKeys.conversation(activeId),
    queryFn: activeId === null ? skipToken : () => loadConversation(client, activeId),
    staleTime: Infinity,
  });

  const setActiveId = useCallback((id: string | null) => {
    activeRef.current = id;
    setActiveIdState(id);
  }, []);
  const setBusy = (value: boolean) => {
    busyRef.current = value;
    setBusyState(value);
  };
  const setTurn = useCallback((value: TurnProblem | null) => {
    turnRef.current = value;
    setTurnState(value);
  }, []);

  const open = useCallback(
    (id: string | null) => {
      abort.current?.abort();
      // A new conversation starts empty, even after a first message that was refused.
      if (id === null) client.setQueryData<ChatMessage[]>(queryKeys.conversation(null), []);
      setActiveId(id);
      setRefusal(null);
      setTurn(null);
      window.history.replaceState(null, '', id ? `/chat/?c=${id}` : '/chat/');
    },
    [client, setActiveId, setTurn],
  );

  useEffect(() => {
    open(new URLSearchParams(window.location.search).get('c'));
    return () => abort.current?.abort();
  }, [open]);

  /** Applies what the server says about a turn cut short: its saved messages and charge, or nothing charged. */
  const settle = useCallback(
    (problem: TurnProblem, found: Lookup) => {
      if (turnRef.current !== problem) return;
      const { check, question } = problem;
      if (found.state === 'saved' && check.conversationId) {
        // Saved: the question is in the conversation, so the box need not keep it.
        const status = problem.kind === 'stopped' ? 'stopped' : 'interrupted';
        client.setQueryData<ChatMessage[]>(
          queryKeys.conversation(check.conversationId),
          found.messages.map((m, i, all) => (i === all.length - 1 ? { ...m, status } : m)),
        );
        if (problem.draftKept && readDraft(problem.conversationId).trim() === question.trim()) writeDraft(problem.conversationId, '');
        if (problem.conversationId !== check.conversationId) {
          setActiveId(check.conversationId);
          window.history.replaceState(null, '', `/chat/?c=${check.conversationId}`);
        }
        setTurn({ ...problem, conversationId: check.conversationId, draftKept: false, charge: { state: 'charged', tokens: found.tokens } });
        void client.invalidateQueries({ queryKey: queryKeys.usage() });
        void client.invalidateQueries({ queryKey: queryKeys.conversations() });
      } else if (found.state === 'absent') {
        if (check.wasNew && problem.conversationId !== null) {
          // A conversation the server never saved: back to "not started", so that a reload does not look for it.
          const shown = problem.conversationId;
          client.setQueryData(queryKeys.conversation(null), client.getQueryData<ChatMessage[]>(queryKeys.conversation(shown)));
          if (readDraft(shown).trim() === question.trim()) writeDraft(shown, '');
          keepQuestion(null, question);
          setActiveId(null);
          window.history.replaceState(null, '', '/chat/');
          setTurn({ ...problem, conversationId: null, charge: { state: 'none' } });
          return;
        }
        setTurn({ ...problem, charge: { state: 'none' } });
      } else {
        setTurn({ ...problem, charge: { state: 'unknown' } });
      }
    },
    [client, setActiveId, setTurn],
  );

  // While the server cannot be reached, look again every 5 seconds and as soon as the browser is back online.
  const unknownTurn = turn?.charge.state === 'unknown' ? turn : null;
  useEffect(() => {
    if (!unknownTurn?.check.conversationId) return;
    const { conversationId, savedBefore } = unknownTurn.check;
    let running = false;
    const look = () => {
      if (running) return;
      running = true;
      void lookUp(conversationId!, savedBefore).then((found) => {
        running = false;
        if (found.state !== 'unreachable') settle(unknownTurn, found);
      });
    };
    const timer = window.setInterval(look, 5_000);
    window.addEventListener('online', look);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('online', look);
    };
  }, [unknownTurn, settle]);

  const send = async (message: string, options: SendOptions = {}) => {
    if (busyRef.current) return;
    setBusy(true);
    setRefusal(null);
    setTurn(null);
    stopping.current = false;
    const model = options.model ?? null;
    const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey();
    const stamp = Date.now();
    const userKey = `u${stamp}`;
    const replyKey = `a${stamp}`;
    const startedIn = activeRef.current;
    // The turn writes to the conversation it was sent in, which for a new one is known at `start`.
    let conversationId = startedIn;
    if (!options.keepDraft) writeDraft(startedIn, '');
    const savedBefore = (client.getQueryData<ChatMessage[]>(queryKeys.conversation(startedIn)) ?? []).filter((m) => !m.unsaved).length;
    const edit = (change: (messages: ChatMessage[]) => ChatMessage[]) =>
      client.setQueryData<ChatMessage[]>(queryKeys.conversation(conversationId), (messages = []) => change(messages));
    const editReply = (change: (reply: ChatMessage) => ChatMessage) => edit((messages) => messages.map((m) => (m.key === replyKey ? change(m) : m)));
    edit((messages) => [...messages, { key: userKey, role: 'user', content: message, unsaved: true }, { key: replyKey, role: 'assistant', content: '', streaming: true, unsaved: true }]);
    const controller = new AbortController();
    abort.current = controller;
    let started = false;
    let answered = false;
    let text = '';
    let streamError: ErrorBody | null = null;
    let failure: unknown = null;
    let opened = false;
    try {
      const requestConversationId = options.requestConversationId !== undefined ? options.requestConversationId : conversationId;
      const body = await postTurn(message, requestConversationId, organizationRef.current, model, idempotencyKey, controller.signal);
      opened = true;
      await readSse(
        body,
        (sse) => {
          const frame = parseChatEvent(sse.event, sse.data);
          if (frame?.event === 'start') {
            started = true;
            const id = frame.data.conversationId;
            if (frame.data.model) rememberModel(id, frame.data.model);
            if (id === conversationId) return;
            client.setQueryData(queryKeys.conversation(id), client.getQueryData<ChatMessage[]>(queryKeys.conversation(conversationId)));
            conversationId = id;
            setActiveId(id);
            window.history.replaceState(null, '', `/chat/?c=${id}`);
          } else if (frame?.event === 'delta') {
            text += frame.data.text;
            editReply((m) => ({ ...m, content: m.content + frame.data.text }));
          } else if (frame?.event === 'usage') {
            answered = true;
            edit((messages) =>
              messages.map((m) => (m.key === replyKey ? { ...m, usage: frame.data.usage, warning: frame.data.warning, unsaved: false } : m.key === userKey ? { ...m, unsaved: false } : m)),
            );
          } else if (frame?.event === 'error') {
            streamError = frame.data;
          }
        },
        controller.signal,
      );
    } catch (error) {
      failure = error;
    }
    editReply((m) => ({ ...m, streaming: false }));
    setBusy(false);
    abort.current = null;
    void client.invalidateQueries({ queryKey: queryKeys.usage() });
    void client.invalidateQueries({ queryKey: queryKeys.conversations() });
    if (answered) return;
    const stopped = controller.signal.aborted && stopping.current;
    // Aborted by opening another conversation (or leaving the page): that turn is no longer shown.
    if (controller.signal.aborted && !stopped) return;

    const refused = !opened && failure instanceof ApiError;
    const broken = streamError as ErrorBody | null;
    const kind: TurnProblem['kind'] = stopped ? 'stopped' : text ? 'interrupted' : 'unsent';
    const reason = stopped
      ? null
      : refused
        ? (failure as ApiError).message
        : broken
          ? broken.message || t('errorGeneric')
          : !opened
            ? t('networkError')
            : failure
              ? t('chatConnectionLost')
              : t('chatStreamCut');
    const code = refused ? (failure as ApiError).code : (broken?.code ?? null);
    // Archived since it was opened: the page shows it read-only, with its "continue" button.
    if (code === 'CONVERSATION_ARCHIVED' && startedIn !== null) {
      client.setQueryData(queryKeys.conversationArchived(startedIn), true);
      void client.invalidateQueries({ queryKey: queryKeys.conversations() });
    }
    const action = refused ? (failure as ApiError).body.recommendedAction : null;
    const recommendedAction = typeof action === 'string' ? action : null;
    // A refusal or a reported failure is never charged; a turn cut off after it started may be.
    const mayBeCharged = !refused && !broken && started && conversationId !== null;
    // The question: out of the thread's answer, and back in the box — the server has not saved it.
    edit((messages) =>
      messages
        .filter((m) => m.key !== replyKey || text)
        .map((m) => (m.key === userKey && !text ? { ...m, status: 'unsent' as const } : m.key === replyKey ? { ...m, status: stopped ? ('stopped' as const) : ('interrupted' as const) } : m)),
    );
    const wasNew = startedIn === null;
    let shownIn = conversationId;
    if (wasNew && conversationId !== null && !mayBeCharged) {
      // A conversation the server never saved: back to "not started", so that a reload does not look for it.
      client.setQueryData(queryKeys.conversation(null), client.getQueryData<ChatMessage[]>(queryKeys.conversation(conversationId)));
      shownIn = null;
      setActiveId(null);
      window.history.replaceState(null, '', '/chat/');
    }
    keepQuestion(shownIn, message);
    const problem: TurnProblem = {
      kind,
      question: message,
      reason,
      code,
      recommendedAction,
      charge: mayBeCharged ? { state: 'checking' } : { state: 'none' },
      conversationId: shownIn,
      draftKept: true,
      model,
      idempotencyKey,
      userKey,
      replyKey,
      check: { conversationId, savedBefore, wasNew },
    };
    setTurn(problem);
    if (mayBeCharged) {
      const found = await settleLookup(conversationId!, savedBefore, !text ? [300, 900] : stopped ? [250, 500, 1_000, 1_500, 2_500] : [300, 700, 1_500]);
      settle(problem, found);
    }
  };

  /** Sends the question of the turn that did not end normally again (its bubbles go; a new turn takes their place). */
  const retry = () => {
    const failed = turnRef.current;
    if (!failed || busyRef.current) return;
    client.setQueryData<ChatMessage[]>(queryKeys.conversation(activeRef.current), (messages = []) => messages.filter((m) => m.key !== failed.userKey && m.key !== failed.replyKey));
    const draft = readDraft(activeRef.current).trim();
    const undecided = failed.charge.state === 'unknown' || failed.charge.state === 'checking';
    void send(failed.question, {
      model: failed.model,
      keepDraft: draft !== '' && draft !== failed.question.trim(),
      // The same request under the same key, so that a turn the server saved meanwhile is replayed.
      ...(undecided ? { idempotencyKey: failed.idempotencyKey, requestConversationId: failed.check.wasNew ? null : failed.check.conversationId } : {}),
    });
  };

  const loadError = conversation.error;
  return {
    activeId,
    messages: conversation.data ?? [],
    loading: conversation.isLoading,
    busy,
    refusal: refusal ?? (loadError ? (loadError instanceof ApiError && loadError.status === 404 ? t('chatConversationMissing') : loadError instanceof ApiError ? loadError.message : t('networkError')) : null),
    turn: turn && turn.conversationId === activeId ? turn : null,
    open,
    send,
    retry,
    stop: () => {
      stopping.current = true;
      abort.current?.abort();
    },
  };
}
