import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readDraft } from './chat-draft';
import { useChatStream } from './chat-stream';
import { I18nProvider } from './i18n';
import type { ConversationView, TokenWarningView, TurnUsageView } from '@consult-on/api-contract';

const turnUsage: TurnUsageView = { promptTokens: 12, completionTokens: 30, chargedTokens: 42, purchasedTokens: 0, freeTokens: 42, overageTokens: 0, estimated: false };
const warning: TokenWarningView = { level: 'WARNING', message: 'Over 90 %', remainingTokens: 8_000, estimatedTurns: 4, usagePercent: 92, purchaseUrl: '/purchase/' };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function events(...frames: [event: string, data: unknown][]): Response {
  return new Response(frames.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join(''), { headers: { 'Content-Type': 'text/event-stream' } });
}

/** The Idempotency-Key of each POST /api/chat/stream, in order. */
let turnKeys: string[] = [];
/** The body of each POST /api/chat/stream, in order. */
let turnBodies: Record<string, unknown>[] = [];

/** Answers fetch from `routes` ("METHOD path"), anything else with a 404, and lists the requests made. A route may throw (no answer at all). */
function serve(routes: Record<string, (init?: RequestInit) => Response>): string[] {
  const requests: string[] = [];
  turnKeys = [];
  turnBodies = [];
  vi.stubGlobal('fetch', async (path: string, init?: RequestInit) => {
    const route = `${init?.method ?? 'GET'} ${path}`;
    requests.push(route);
    if (route === 'POST /api/chat/stream') {
      turnKeys.push((init?.headers as Record<string, string>)['Idempotency-Key']!);
      turnBodies.push(JSON.parse(String(init?.body)));
    }
    return routes[route]?.(init) ?? json(404, { code: 'NOT_FOUND', message: 'Not found' });
  });
  return requests;
}

/** A stream that sends `frames` and then stays open until the reader cancels it (Stop). */
function openEvents(...frames: [event: string, data: unknown][]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(frames.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('')));
    },
  });
  return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
}

function renderChat(url: string, organizationId: string | null = null) {
  window.history.replaceState(null, '', url);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>
      <I18nProvider>{children}</I18nProvider>
    </QueryClientProvider>
  );
  return renderHook(() => useChatStream(organizationId), { wrapper });
}

afterEach(() => {
  vi.unstubAllGlobals();
  window.localStorage.clear();
});

describe('useChatStream', () => {
  it('streams a first message into the conversation the server starts, without loading it back', async () => {
    const requests = serve({
      'POST /api/chat/stream': () => events(['start', { conversationId: 'c1' }], ['delta', { text: 'Hel' }], ['delta', { text: 'lo' }], ['usage', { usage: turnUsage, warning: null }], ['done', {}]),
    });
    const { result } = renderChat('/chat/');
    await act(() => result.current.send('Hi'));
    await waitFor(() => expect(result.current.activeId).toBe('c1'));
    expect(window.location.search).toBe('?c=c1');
    expect(result.current.messages).toMatchObject([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello', usage: turnUsage, warning: null, streaming: false },
    ]);
    expect(result.current.busy).toBe(false);
    expect(requests).toEqual(['POST /api/chat/stream']);
  });

  it('loads the conversation named in the address once, then adds each turn with its warning', async () => {
    const stored: ConversationView = {
      archived: false,
      id: 'c9',
      title: 'Before',
      model: 'demo',
      organizationId: null,
      turnCount: 1,
      chargedTokens: 42,
      createdAt: '2025-06-01T00:00:00.000Z',
      updatedAt: '2025-06-01T00:00:00.000Z',
      messages: [
        { id: 1, role: 'user', content: 'Before', createdAt: '2025-06-01T00:00:00.000Z', usage: null },
        { id: 2, role: 'assistant', content: 'Earlier reply', createdAt: '2025-06-01T00:00:01.000Z', usage: turnUsage },
      ],
    };
    const requests = serve({
      'GET /api/chat/conversations/c9': () => json(200, stored),
      'POST /api/chat/stream': () => events(['start', { conversationId: 'c9' }], ['delta', { text: 'Again' }], ['usage', { usage: turnUsage, warning }]),
    });
    const { result } = renderChat('/chat/?c=c9');
    await waitFor(() => expect(result.current.messages).toHaveLength(2));
    await act(() => result.current.send('More'));
    await waitFor(() => expect(result.current.messages.map((m) => m.content)).toEqual(['Before', 'Earlier reply', 'More', 'Again']));
    expect(result.current.messages[3]).toMatchObject({ warning, streaming: false });
    expect(requests).toEqual(['GET /api/chat/conversations/c9', 'POST /api/chat/stream']);
  });

  it('marks a refused question unsent, keeps it in the box, shows why and that nothing was charged; a new conversation starts empty', async () => {
    serve({ 'POST /api/chat/stream': () => json(402, { code: 'TOKEN_EXHAUSTED', message: 'No tokens left' }) });
    const { result } = renderChat('/chat/');
    await act(() => result.current.send('Hi'));
    await waitFor(() => expect(result.current.turn).toMatchObject({ kind: 'unsent', reason: 'No tokens left', code: 'TOKEN_EXHAUSTED', charge: { state: 'none' }, draftKept: true }));
    expect(result.current.messages).toMatchObject([{ role: 'user', content: 'Hi', status: 'unsent' }]);
    expect(readDraft(null)).toBe('Hi');
    act(() => result.current.open(null));
    await waitFor(() => expect(result.current.messages).toEqual([]));
    expect(result.current.turn).toBeNull();
    expect(result.current.refusal).toBeNull();
  });

  it('says in Korean when the server cannot be reached; "send again" is then a new turn', async () => {
    let attempts = 0;
    serve({
      'POST /api/chat/stream': () => {
        attempts += 1;
        if (attempts === 1) throw new TypeError('Failed to fetch');
        return events(['start', { conversationId: 'c5', model: 'consult-basic' }], ['delta', { text: 'Hello' }], ['usage', { usage: turnUsage, warning: null }], ['done', {}]);
      },
    });
    const { result } = renderChat('/chat/');
    await act(() => result.current.send('Hi', { model: 'consult-basic' }));
    await waitFor(() => expect(result.current.turn).toMatchObject({ kind: 'unsent', charge: { state: 'none' } }));
    expect(result.current.turn?.reason).toMatch(/서버에 연결할 수 없습니다/);
    expect(result.current.turn?.reason).not.toMatch(/Failed to fetch/);
    expect(readDraft(null)).toBe('Hi');
    await act(async () => result.current.retry());
    await waitFor(() => expect(result.current.activeId).toBe('c5'));
    await waitFor(() => expect(result.current.messages).toMatchObject([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello', usage: turnUsage }]));
    expect(result.current.turn).toBeNull();
    expect(turnKeys).toHaveLength(2);
    expect(turnKeys[1]).not.toBe(turnKeys[0]);
    expect(readDraft(null)).toBe('');
    expect(window.localStorage.getItem('consulton.model.c5')).toBe('consult-basic');
  });

  it('an answer cut off in a new conversation the server never saved: nothing charged, back to "not started", question kept', async () => {
    const requests = serve({
      'POST /api/chat/stream': () => events(['start', { conversationId: 'c3', model: 'consult-basic' }], ['delta', { text: 'Hal' }]),
    });
    const { result } = renderChat('/chat/');
    await act(() => result.current.send('Hi'));
    await waitFor(() => expect(result.current.turn).toMatchObject({ kind: 'interrupted', charge: { state: 'none' } }), { timeout: 4_000 });
    expect(result.current.activeId).toBeNull();
    expect(window.location.search).toBe('');
    expect(result.current.turn?.reason).toMatch(/끝맺지 못했습니다/);
    expect(result.current.messages).toMatchObject([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hal', status: 'interrupted' }]);
    expect(readDraft(null)).toBe('Hi');
    expect(requests).toContain('GET /api/chat/conversations/c3');
  });

  it('a stream broken while the server cannot be reached: the charge is unknown, and "send again" repeats the request under its key', async () => {
    let attempts = 0;
    serve({
      'POST /api/chat/stream': () => {
        attempts += 1;
        if (attempts > 1) return events(['start', { conversationId: 'c7', model: 'consult-basic' }], ['delta', { text: 'Hello' }], ['usage', { usage: turnUsage, warning: null }], ['done', { replayed: true }]);
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(`event: start\ndata: ${JSON.stringify({ conversationId: 'c7', model: 'consult-basic' })}\n\nevent: delta\ndata: {"text":"Hel"}\n\n`));
            setTimeout(() => controller.error(new TypeError('network error')), 20);
          },
        });
        return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
      },
      'GET /api/chat/conversations/c7': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const { result } = renderChat('/chat/');
    await act(() => result.current.send('Hi', { model: 'consult-basic' }));
    await waitFor(() => expect(result.current.turn).toMatchObject({ kind: 'interrupted', charge: { state: 'unknown' } }), { timeout: 4_000 });
    expect(result.current.turn?.reason).toMatch(/연결이 끊겼습니다/);
    expect(readDraft('c7')).toBe('Hi');
    await act(async () => result.current.retry());
    await waitFor(() => expect(result.current.messages).toMatchObject([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello', usage: turnUsage }]));
    expect(turnKeys[1]).toBe(turnKeys[0]);
    expect(turnBodies[1]).toEqual(turnBodies[0]);
    expect(turnBodies[1]).toEqual({ message: 'Hi', model: 'consult-basic' });
  });

  it('Stop: the answer so far is labelled stopped with the tokens the server charged for it, and its receipt', async () => {
    const stopped: ConversationView = {
      archived: false,
      id: 'c4',
      title: 'Hi',
      model: 'consult-basic',
      organizationId: null,
      turnCount: 1,
      chargedTokens: 42,
      createdAt: '2025-06-01T00:00:00.000Z',
      updatedAt: '2025-06-01T00:00:00.000Z',
      messages: [
        { id: 1, role: 'user', content: 'Hi', createdAt: '2025-06-01T00:00:00.000Z', usage: null },
        { id: 2, role: 'assistant', content: 'Hel', createdAt: '2025-06-01T00:00:01.000Z', usage: turnUsage },
      ],
    };
    serve({
      'POST /api/chat/stream': () => openEvents(['start', { conversationId: 'c4', model: 'consult-basic' }], ['delta', { text: 'Hel' }]),
      'GET /api/chat/conversations/c4': () => json(200, stopped),
    });
    const { result } = renderChat('/chat/');
    let sent: Promise<void> = Promise.resolve();
    act(() => {
      sent = result.current.send('Hi');
    });
    await waitFor(() => expect(result.current.messages[1]?.content).toBe('Hel'));
    expect(result.current.busy).toBe(true);
    act(() => result.current.stop());
    await act(() => sent);
    await waitFor(() => expect(result.current.turn).toMatchObject({ kind: 'stopped', charge: { state: 'charged', tokens: 42 }, draftKept: false }));
    expect(result.current.activeId).toBe('c4');
    expect(result.current.messages).toMatchObject([{ key: 'm1', content: 'Hi' }, { key: 'm2', content: 'Hel', usage: turnUsage, status: 'stopped' }]);
    expect(readDraft('c4')).toBe('');
  });

  it('an error the stream reports: the answer so far is marked cut off, nothing charged, the question kept', async () => {
    serve({ 'POST /api/chat/stream': () => events(['start', { conversationId: 'c2' }], ['delta', { text: 'Par' }], ['error', { code: 'MODEL_FAILED', message: 'The model failed' }]) });
    const { result } = renderChat('/chat/');
    await act(() => result.current.send('Hi'));
    await waitFor(() => expect(result.current.turn).toMatchObject({ kind: 'interrupted', reason: 'The model failed', charge: { state: 'none' } }));
    expect(result.current.messages[1]).toMatchObject({ content: 'Par', status: 'interrupted', streaming: false });
    expect(result.current.refusal).toBeNull();
    expect(readDraft(null)).toBe('Hi');
  });

  it('starts a new conversation in the workspace, and continues one without naming it (it keeps its own)', async () => {
    serve({ 'POST /api/chat/stream': () => events(['start', { conversationId: 'c1' }], ['delta', { text: 'Hi' }], ['usage', { usage: turnUsage, warning: null }]) });
    const { result } = renderChat('/chat/', 'org-1');
    await act(() => result.current.send('First'));
    await waitFor(() => expect(result.current.activeId).toBe('c1'));
    await act(() => result.current.send('Second'));
    expect(turnBodies).toMatchObject([{ message: 'First', organizationId: 'org-1' }, { message: 'Second', conversationId: 'c1' }]);
    expect(turnBodies[1]).not.toHaveProperty('organizationId');
  });

  it('keeps what the server recommends with a refusal: an organization’s tokens are not bought here', async () => {
    serve({
      'POST /api/chat/stream': () =>
        json(402, { code: 'MEMBER_LIMIT_REACHED', message: '내 한도를 모두 사용했습니다.', limit: 'MEMBER', limitTokens: 5_000, remainingTokens: 0, recommendedAction: 'ASK_ORGANIZATION_ADMIN' }),
    });
    const { result } = renderChat('/chat/', 'org-1');
    await act(() => result.current.send('Hi'));
    await waitFor(() => expect(result.current.turn).toMatchObject({ kind: 'unsent', reason: '내 한도를 모두 사용했습니다.', code: 'MEMBER_LIMIT_REACHED', recommendedAction: 'ASK_ORGANIZATION_ADMIN' }));
  });
});
