import { act, fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TurnUsageView } from '@consult-on/api-contract';
import type { ChatMessage, TurnProblem } from '@/lib/chat-stream';
import { I18nProvider } from '@/lib/i18n';
import { MessageList, repeatedQuestions, type MessageListProps } from './MessageList';

const usage: TurnUsageView = { promptTokens: 12, completionTokens: 30, chargedTokens: 412, purchasedTokens: 0, freeTokens: 412, overageTokens: 0, estimated: false };

const conversation: ChatMessage[] = [
  { key: 'm1', role: 'user', content: '첫 질문' },
  { key: 'm2', role: 'assistant', content: '첫 답변', usage },
  { key: 'm3', role: 'user', content: '**마크다운** 아님 <b>x</b>' },
  { key: 'm4', role: 'assistant', content: '## 요약\n\n- 하나\n- 둘', usage },
];

const wrapper = ({ children }: { children: ReactNode }) => <I18nProvider>{children}</I18nProvider>;

function show(props: Partial<MessageListProps> = {}) {
  return render(<MessageList messages={conversation} loading={false} busy={false} {...props} />, { wrapper });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('MessageList answers', () => {
  it('renders answers as Markdown and questions as plain text', () => {
    show();
    const answers = screen.getAllByTestId('assistant-message');
    expect(answers[1]!.querySelectorAll('li')).toHaveLength(2);
    expect(within(answers[1]!).getByText('요약')).toBeInTheDocument();
    const question = screen.getAllByTestId('user-message')[1]!;
    expect(question.querySelector('strong, b')).toBeNull();
    expect(question).toHaveTextContent('**마크다운** 아님 <b>x</b>');
  });

  it('copies an answer as written, and says so', async () => {
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    show();
    const answer = screen.getAllByTestId('assistant-message')[1]!;
    const copy = within(answer).getByTestId('copy-answer');
    await act(async () => fireEvent.click(copy));
    expect(writeText).toHaveBeenCalledWith('## 요약\n\n- 하나\n- 둘');
    expect(copy).toHaveTextContent('복사했습니다');
    expect(within(answer).getByRole('status')).toHaveTextContent('복사했습니다');
  });

  it('without handlers, shows copy but neither regenerate nor edit', () => {
    show();
    expect(screen.getAllByTestId('copy-answer')).toHaveLength(2);
    expect(screen.queryByTestId('regenerate-answer')).toBeNull();
    expect(screen.queryByTestId('edit-question')).toBeNull();
  });

  it('regenerates the last answer only, with the question it answered', () => {
    const onRegenerate = vi.fn();
    show({ onRegenerate });
    const buttons = screen.getAllByTestId('regenerate-answer');
    expect(buttons).toHaveLength(1);
    expect(within(screen.getAllByTestId('assistant-message')[1]!).getByTestId('regenerate-answer')).toBe(buttons[0]);
    expect(buttons[0]).toHaveAccessibleDescription(/토큰이 차감됩니다/);
    fireEvent.click(buttons[0]!);
    expect(onRegenerate).toHaveBeenCalledWith('**마크다운** 아님 <b>x</b>', 'm4');
  });

  it('offers no regenerate while a turn streams, nor for an answer older than the last question', () => {
    const onRegenerate = vi.fn();
    const streaming: ChatMessage[] = [...conversation, { key: 'u5', role: 'user', content: '다음' }, { key: 'a5', role: 'assistant', content: '답', streaming: true }];
    const { rerender } = render(<MessageList messages={streaming} loading={false} busy onRegenerate={onRegenerate} />, { wrapper });
    expect(screen.queryByTestId('regenerate-answer')).toBeNull();
    // A question left without an answer (refused): the previous answer is not its answer.
    rerender(<MessageList messages={[...conversation, { key: 'u5', role: 'user', content: '거절된 질문' }]} loading={false} busy={false} onRegenerate={onRegenerate} />);
    expect(screen.queryByTestId('regenerate-answer')).toBeNull();
  });

  it('edits the last question in place and sends the edit; Escape cancels and gives the focus back', () => {
    const onEditResend = vi.fn();
    show({ onEditResend });
    const edits = screen.getAllByTestId('edit-question');
    expect(edits).toHaveLength(1);
    expect(within(screen.getAllByTestId('user-message')[1]!).getByTestId('edit-question')).toBe(edits[0]);

    fireEvent.click(edits[0]!);
    let input = screen.getByTestId('question-editor-input');
    expect(input).toHaveValue('**마크다운** 아님 <b>x</b>');
    expect(input).toHaveFocus();
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.queryByTestId('question-editor')).toBeNull();
    expect(onEditResend).not.toHaveBeenCalled();

    fireEvent.click(screen.getByTestId('edit-question'));
    input = screen.getByTestId('question-editor-input');
    fireEvent.change(input, { target: { value: '  고친 질문  ' } });
    fireEvent.keyDown(input, { key: 'Enter', shiftKey: true });
    expect(onEditResend).not.toHaveBeenCalled();
    fireEvent.keyDown(input, { key: 'Enter', isComposing: true });
    expect(onEditResend).not.toHaveBeenCalled();
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onEditResend).toHaveBeenCalledExactlyOnceWith('고친 질문');
    expect(screen.queryByTestId('question-editor')).toBeNull();
  });

  it('sends an edit with the button, never an empty one, and not while a turn streams', () => {
    const onEditResend = vi.fn();
    const { rerender } = show({ onEditResend });
    fireEvent.click(screen.getByTestId('edit-question'));
    fireEvent.change(screen.getByTestId('question-editor-input'), { target: { value: '   ' } });
    expect(screen.getByTestId('question-editor-send')).toBeDisabled();
    fireEvent.change(screen.getByTestId('question-editor-input'), { target: { value: '새 질문' } });
    rerender(<MessageList messages={conversation} loading={false} busy onEditResend={onEditResend} />);
    expect(screen.getByTestId('question-editor-send')).toBeDisabled();
    rerender(<MessageList messages={conversation} loading={false} busy={false} onEditResend={onEditResend} />);
    fireEvent.click(screen.getByTestId('question-editor-send'));
    expect(onEditResend).toHaveBeenCalledExactlyOnceWith('새 질문');
  });

  it('labels a regenerated question and opens the receipt of its streamed answer', () => {
    const regenerated: ChatMessage[] = [
      ...conversation,
      { key: 'u5', role: 'user', content: '**마크다운** 아님 <b>x</b>' },
      { key: 'a5', role: 'assistant', content: '', streaming: true },
    ];
    const { rerender } = render(<MessageList messages={regenerated} loading={false} busy />, { wrapper });
    expect(screen.getAllByTestId('regenerated-label')).toHaveLength(1);
    expect(within(screen.getAllByTestId('user-message')[2]!).getByTestId('regenerated-label')).toHaveTextContent('같은 질문으로 다시 생성');
    const done = regenerated.map((m) => (m.key === 'a5' ? { ...m, content: '새 답변', streaming: false, usage } : m));
    rerender(<MessageList messages={done} loading={false} busy={false} />);
    const answer = screen.getAllByTestId('assistant-message')[2]!;
    expect(within(answer).getByTestId('receipt')).toHaveTextContent('412');
    // Older answers keep their receipt folded.
    expect(within(screen.getAllByTestId('assistant-message')[1]!).queryByTestId('receipt')).toBeNull();
  });

  it('finds repeated questions', () => {
    const keys = repeatedQuestions([
      { key: '1', role: 'user', content: 'a' },
      { key: '2', role: 'assistant', content: 'x' },
      { key: '3', role: 'user', content: 'a' },
      { key: '4', role: 'assistant', content: 'y' },
      { key: '5', role: 'user', content: 'b' },
      { key: '6', role: 'assistant', content: 'z' },
    ]);
    expect([...keys]).toEqual(['3', '4']);
  });
});

describe('MessageList token warnings', () => {
  const warning = (level: 'WARNING' | 'CRITICAL') => ({ level, message: `${level} 안내`, remainingTokens: 8_000, estimatedTurns: 8, usagePercent: 92, purchaseUrl: '/purchase/' });

  it('shows the inline notice once for two turns at WARNING, and again when the level rises', () => {
    const messages: ChatMessage[] = [
      { key: 'q1', role: 'user', content: '하나' },
      { key: 'a1', role: 'assistant', content: '답 하나', usage, warning: warning('WARNING') },
      { key: 'q2', role: 'user', content: '둘' },
      { key: 'a2', role: 'assistant', content: '답 둘', usage, warning: warning('WARNING') },
      { key: 'q3', role: 'user', content: '셋' },
      { key: 'a3', role: 'assistant', content: '답 셋', usage, warning: warning('CRITICAL') },
    ];
    render(<MessageList messages={messages} loading={false} busy={false} />, { wrapper });
    const notices = screen.getAllByTestId('inline-warning');
    expect(notices).toHaveLength(2);
    expect(notices[0]).toHaveTextContent('WARNING 안내');
    expect(notices[1]).toHaveTextContent('CRITICAL 안내');
    expect(within(notices[0]!).getByRole('link')).toHaveClass('btn-primary');
  });
});

describe('MessageList turn status', () => {
  const cut: ChatMessage[] = [...conversation.slice(0, 3), { key: 'm4', role: 'assistant', content: '말씀해 주셔서', status: 'interrupted', unsaved: true }];
  const problem = (kind: TurnProblem['kind'], charge: TurnProblem['charge']): TurnProblem => ({
    kind,
    question: conversation[2]!.content,
    reason: kind === 'stopped' ? null : '서버와의 연결이 끊겼습니다.',
    code: null,
    charge,
    conversationId: 'c1',
    draftKept: false,
    model: null,
    idempotencyKey: 'k',
    userKey: 'm3',
    replyKey: 'm4',
    check: { conversationId: 'c1', savedBefore: 2, wasNew: false },
  });

  it('puts the status on the answer it cut off, with "send again" instead of regenerate', () => {
    const onRetry = vi.fn();
    show({ messages: cut, turn: problem('interrupted', { state: 'none' }), onRetry, onRegenerate: vi.fn() });
    const answer = screen.getAllByTestId('assistant-message')[1]!;
    const status = within(answer).getByTestId('turn-status');
    expect(status).toHaveTextContent('답변이 중간에 끊겼습니다');
    expect(status).toHaveTextContent('요금이 청구되지 않았습니다');
    expect(within(answer).queryByTestId('regenerate-answer')).toBeNull();
    fireEvent.click(within(status).getByTestId('resend'));
    expect(onRetry).toHaveBeenCalledTimes(1);
    expect(screen.getAllByTestId('turn-status')).toHaveLength(1);
  });

  it('a stopped answer that was charged says its charge and keeps regenerate', () => {
    const stopped = cut.map((m) => (m.key === 'm4' ? { ...m, status: 'stopped' as const, unsaved: false, usage } : m));
    show({ messages: stopped, turn: problem('stopped', { state: 'charged', tokens: 412 }), onRegenerate: vi.fn() });
    const answer = screen.getAllByTestId('assistant-message')[1]!;
    expect(within(answer).getByTestId('turn-status-title')).toHaveTextContent(/^중지됨 · 412 ?토큰 차감$/);
    expect(within(answer).queryByTestId('resend')).toBeNull();
    expect(within(answer).getByTestId('regenerate-answer')).toBeInTheDocument();
  });

  it('an unsent question carries its status; once a later turn took over, a short label stays', () => {
    const unsent: ChatMessage[] = [...conversation.slice(0, 2), { key: 'm3', role: 'user', content: '못 보낸 질문', status: 'unsent', unsaved: true }];
    const { rerender } = show({ messages: unsent, turn: problem('unsent', { state: 'none' }) });
    expect(within(screen.getAllByTestId('user-message')[1]!).getByTestId('turn-status')).toHaveTextContent('전송 안 됨');
    rerender(<MessageList messages={unsent} loading={false} busy={false} turn={null} />);
    expect(screen.queryByTestId('turn-status')).toBeNull();
    expect(within(screen.getAllByTestId('user-message')[1]!).getByTestId('message-status')).toHaveTextContent('전송 안 됨');
  });
});
