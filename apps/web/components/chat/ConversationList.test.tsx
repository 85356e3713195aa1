import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConversationSummaryView } from '@consult-on/api-contract';
import { I18nProvider } from '@/lib/i18n';
import { ConversationList } from './ConversationList';

function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

const daysAgo = (days: number) => {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - days, 12).toISOString();
};

function conversation(id: string, title: string, updatedAt: string): ConversationSummaryView {
  return { id, title, model: 'consult-basic', organizationId: null, turnCount: 1, chargedTokens: 120, createdAt: updatedAt, updatedAt, archived: false };
}

const items = [
  conversation('c1', '오늘 대화', new Date().toISOString()),
  conversation('c2', '어제 대화', daysAgo(1)),
  conversation('c3', '지난주 대화', daysAgo(4)),
  conversation('c4', '오래된 대화', daysAgo(40)),
];

/** The button that opens the conversation titled `title` (its actions are named after it too). */
async function openButton(title: string): Promise<HTMLElement> {
  return (await screen.findByText(title, { selector: '[data-testid="conversation-title"]' })).closest('button')!;
}

/** Answers the list, a search, a rename and a delete like the API; records each request. */
function serve() {
  const requests: { method: string; path: string; body: unknown }[] = [];
  let kept = [...items];
  vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
    const method = init.method ?? 'GET';
    requests.push({ method, path, body: init.body ? JSON.parse(String(init.body)) : undefined });
    if (method === 'PATCH') {
      const id = path.split('/').at(-1)!;
      const { title } = JSON.parse(String(init.body)) as { title: string };
      return json(200, { ...kept.find((item) => item.id === id)!, title });
    }
    if (method === 'DELETE') {
      kept = kept.filter((item) => item.id !== path.split('/').at(-1));
      return json(204, null);
    }
    const q = new URL(path, 'http://x').searchParams.get('q');
    const found = q ? kept.filter((item) => item.title.includes(q)) : kept;
    return json(200, { items: found, total: found.length });
  });
  return requests;
}

function renderList(props: Partial<Parameters<typeof ConversationList>[0]> = {}) {
  const onNew = vi.fn();
  const onOpen = vi.fn();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <I18nProvider>
        <ConversationList activeId="c1" usage={undefined} onOpen={onOpen} onNew={onNew} {...props} />
      </I18nProvider>
    </QueryClientProvider>,
  );
  return { onNew, onOpen };
}

beforeAll(() => {
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.open = false;
  };
});
afterEach(() => vi.unstubAllGlobals());

describe('ConversationList', () => {
  it('groups conversations by local day: 오늘, 어제, 지난 7일, 이전', async () => {
    serve();
    renderList();
    await screen.findByText('오늘 대화');
    const groups = screen.getAllByTestId('conversation-group');
    expect(groups.map((group) => within(group).getByRole('heading').textContent)).toEqual(['오늘', '어제', '지난 7일', '이전']);
    expect(groups.map((group) => within(group).getAllByTestId('conversation-title').map((title) => title.textContent))).toEqual([['오늘 대화'], ['어제 대화'], ['지난주 대화'], ['오래된 대화']]);
  });

  it('renames in place from the keyboard: F2, Enter saves (trimmed), Escape cancels', async () => {
    const requests = serve();
    const onRenamed = vi.fn();
    renderList({ onRenamed });
    fireEvent.keyDown(await openButton('어제 대화'), { key: 'F2' });
    const input = screen.getByRole('textbox', { name: '대화 이름' });
    expect(input).toHaveFocus();
    fireEvent.change(input, { target: { value: '  새  이름 ' } });
    fireEvent.submit(input.closest('form')!);
    await waitFor(() => expect(onRenamed).toHaveBeenCalledWith(expect.objectContaining({ id: 'c2', title: '새 이름' })));
    expect(requests.find((request) => request.method === 'PATCH')).toEqual({ method: 'PATCH', path: '/api/chat/conversations/c2', body: { title: '새 이름' } });
    expect(await screen.findByText('새 이름')).toBeInTheDocument();

    fireEvent.keyDown(await openButton('오늘 대화'), { key: 'F2' });
    const again = screen.getByRole('textbox', { name: '대화 이름' });
    fireEvent.change(again, { target: { value: '버릴 이름' } });
    fireEvent.keyDown(again, { key: 'Escape' });
    expect(screen.queryByRole('textbox', { name: '대화 이름' })).not.toBeInTheDocument();
    expect(screen.getByText('오늘 대화')).toBeInTheDocument();
    expect(requests.filter((request) => request.method === 'PATCH')).toHaveLength(1);
  });

  it('deletes after a confirmation that says the usage record is kept; deleting the open one starts a new conversation', async () => {
    const requests = serve();
    const { onNew } = renderList();
    fireEvent.click(await screen.findByRole('button', { name: '오늘 대화 삭제', hidden: true }));
    const dialog = screen.getByTestId('delete-conversation-dialog');
    expect(dialog).toHaveTextContent('‘오늘 대화’ 대화와 메시지가 모두 삭제되며 되돌릴 수 없습니다.');
    expect(dialog).toHaveTextContent('사용 내역(차감된 토큰 기록)은 삭제되지 않고 그대로 남습니다.');
    fireEvent.click(within(dialog).getByTestId('delete-conversation-confirm'));
    await waitFor(() => expect(screen.queryByText('오늘 대화')).not.toBeInTheDocument());
    expect(requests.find((request) => request.method === 'DELETE')).toMatchObject({ path: '/api/chat/conversations/c1' });
    expect(onNew).toHaveBeenCalledTimes(1);
  });

  it('searches titles and messages after typing stops', async () => {
    const requests = serve();
    renderList();
    await screen.findByText('오늘 대화');
    fireEvent.change(screen.getByRole('searchbox', { name: '대화 검색' }), { target: { value: ' 100%_어제 ' } });
    // Nothing is asked while typing goes on.
    expect(requests.some((request) => request.path.includes('q='))).toBe(false);
    await waitFor(() => expect(requests.some((request) => request.path.includes('q='))).toBe(true));
    expect(requests.find((request) => request.path.includes('q='))!.path).toBe(`/api/chat/conversations?limit=50&q=${encodeURIComponent('100%_어제')}`);
    expect(await screen.findByText('검색 결과가 없습니다', { selector: 'p:not(.sr-only)' })).toBeInTheDocument();
  });
});
