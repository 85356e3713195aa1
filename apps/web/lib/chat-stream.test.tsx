import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

/** Answers fetch from `routes` ("METHOD path"), anything else with a 404, and lists the requests made. */
function serve(routes: Record<string, () => Response>): string[] {
  const requests: string[] = [];
  vi.stubGlobal('fetch', async (path: string, init?: RequestInit) => {
    const route = `${init?.method ?? 'GET'} ${path}`;
    requests.push(route);
    return routes[route]?.() ?? json(404, { code: 'NOT_FOUND', message: 'Not found' });
  });
  return requests;
}

function renderChat(url: string) {
  window.history.replaceState(null, '', url);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>
      <I18nProvider>{children}</I18nProvider>
    </QueryClientProvider>
  );
  return renderHook(() => useChatStream(), { wrapper });
}

afterEach(() => {
  vi.unstubAllGlobals();
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
      id: 'c9',
      title: 'Before',
      model: 'demo',
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

  it('drops the reply of a refused turn, shows the reason, and a new conversation starts empty', async () => {
    serve({ 'POST /api/chat/stream': () => json(402, { code: 'TOKENS_EXHAUSTED', message: 'No tokens left' }) });
    const { result } = renderChat('/chat/');
    await act(() => result.current.send('Hi'));
    await waitFor(() => expect(result.current.refusal).toBe('No tokens left'));
    expect(result.current.messages).toMatchObject([{ role: 'user', content: 'Hi' }]);
    act(() => result.current.open(null));
    await waitFor(() => expect(result.current.messages).toEqual([]));
    expect(result.current.refusal).toBeNull();
  });

  it('shows an error the stream reports on the reply itself', async () => {
    serve({ 'POST /api/chat/stream': () => events(['start', { conversationId: 'c2' }], ['delta', { text: 'Par' }], ['error', { code: 'MODEL_FAILED', message: 'The model failed' }]) });
    const { result } = renderChat('/chat/');
    await act(() => result.current.send('Hi'));
    await waitFor(() => expect(result.current.messages[1]).toMatchObject({ content: 'Par', error: 'The model failed', streaming: false }));
    expect(result.current.refusal).toBeNull();
  });
});
