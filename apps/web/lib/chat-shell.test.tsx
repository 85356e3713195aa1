import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, renderHook, screen, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Composer } from '@/components/chat/Composer';
import { ModelPicker } from '@/components/chat/ModelPicker';
import { UsageSummary } from '@/components/chat/UsageSummary';
import { keepQuestion, readDraft, useDraft, writeDraft } from './chat-draft';
import { relativeCost } from './chat-models';
import { chatFigures } from './chat-usage';
import { I18nProvider } from './i18n';
import type { EstimateView, ModelView, UsageView } from '@consult-on/api-contract';

const models: ModelView[] = [
  { id: 'consult-basic', inputWeight: 1, outputWeight: 1, completionLimit: 1024, isDefault: true, allowed: true },
  { id: 'consult-pro', inputWeight: 2, outputWeight: 4, completionLimit: 2048, isDefault: false, allowed: true },
];

/** 104.8 % of 100,000: 200 tokens left before the block at 105 %. */
const nearBlock = {
  level: 'CRITICAL',
  usagePercent: 104.8,
  usedTokens: 104_800,
  remainingTokens: -4_800,
  totalAvailable: 100_000,
  freeTokens: 0,
  purchasedTokens: 0,
  overageTokens: 0,
  heldTokens: 0,
  graceInUse: true,
  chatAllowed: true,
  showPurchaseButton: true,
  estimatedTurns: 0,
  averageTokensPerTurn: 400,
  period: '2026-11',
  periodStart: '2026-10-31T15:00:00.000Z',
  nextResetAt: '2026-11-30T15:00:00.000Z',
  timeZone: 'Asia/Seoul',
  thresholds: { notice: 80, warning: 90, critical: 95, block: 105 },
  message: '차단까지 200토큰 남았습니다.',
  purchaseUrl: '/purchase/',
  forecast: null,
} as unknown as UsageView;

function wrapper({ children }: { children: ReactNode }) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return (
    <QueryClientProvider client={client}>
      <I18nProvider>{children}</I18nProvider>
    </QueryClientProvider>
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  window.localStorage.clear();
});

describe('model costs', () => {
  it('is standard for the cheapest model and ×4 for one that charges four times per answer token', () => {
    expect(relativeCost(models[0]!, models)).toBe(1);
    expect(relativeCost(models[1]!, models)).toBe(4);
  });

  it('the picker names each model with its relative cost', () => {
    render(<ModelPicker models={models} model="consult-pro" onChange={() => undefined} />, { wrapper });
    expect(screen.getByTestId('model-picker')).toHaveValue('consult-pro');
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['기본 · 표준', '고급 · ×4']);
  });

  it('shows a model the plan leaves out, but it cannot be chosen', () => {
    const planned = [models[0]!, { ...models[1]!, allowed: false }];
    render(<ModelPicker models={planned} model="consult-basic" onChange={() => undefined} />, { wrapper });
    const options = screen.getAllByRole('option') as HTMLOptionElement[];
    expect(options.map((o) => [o.textContent, o.disabled])).toEqual([
      ['기본 · 표준', false],
      ['고급 · ×4 (요금제에 없음)', true],
    ]);
  });
});

describe('one usage snapshot', () => {
  it('past 100 % what is left is the way to the block, the number the banner gives', () => {
    expect(chatFigures(nearBlock)).toEqual({ remainingTokens: 0, untilBlockTokens: 200, inGrace: true, chatAllowed: true });
    render(<UsageSummary usage={nearBlock} />, { wrapper });
    expect(screen.getByTestId('chat-until-block')).toHaveTextContent('200토큰');
    expect(screen.queryByTestId('chat-remaining')).toBeNull();
  });

  it('Send is disabled, and says why, when the preview refuses the message', async () => {
    const refused: EstimateView = { model: 'consult-basic', promptTokens: 300, maxCompletionTokens: 1024, maxChargeTokens: 1324, typicalChargeTokens: 600, remainingTokens: -4_800, shareOfRemainingPercent: null, allowed: false } as EstimateView;
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify(refused), { status: 200, headers: { 'Content-Type': 'application/json' } }));
    const onSend = vi.fn();
    render(<Composer text="긴 질문" onTextChange={() => undefined} busy={false} conversationId={null} model="consult-basic" usage={nearBlock} onSend={onSend} onStop={() => undefined} />, { wrapper });
    expect(screen.getByTestId('send-button')).toBeEnabled();
    await waitFor(() => expect(screen.getByTestId('send-button')).toBeDisabled(), { timeout: 2_000 });
    expect(screen.getByTestId('send-disabled-reason')).toHaveTextContent('남은 토큰이 모자라');
    expect(screen.getByTestId('send-button')).toHaveAttribute('aria-describedby', screen.getByTestId('send-disabled-reason').id);
    fireEvent.keyDown(screen.getByTestId('message-input'), { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
  });
});

describe('the cost of a long conversation', () => {
  it('shows the share of the resent context and offers a new conversation once it is large', async () => {
    const estimate = { model: 'consult-basic', promptTokens: 900, maxCompletionTokens: 1024, maxChargeTokens: 1924, typicalChargeTokens: 1200, remainingTokens: 50_000, shareOfRemainingPercent: 2.4, allowed: true, contextTokens: 800, contextShare: 66.6, contextTruncated: true, contextMaxTokens: 1500, suggestNewConversation: true };
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify(estimate), { status: 200, headers: { 'Content-Type': 'application/json' } }));
    const onNew = vi.fn();
    const usage = { ...nearBlock, level: 'NORMAL', usagePercent: 50, usedTokens: 50_000, remainingTokens: 50_000, graceInUse: false } as UsageView;
    render(<Composer text="또 질문" onTextChange={() => undefined} busy={false} conversationId="c1" model="consult-basic" usage={usage} onSend={() => undefined} onStop={() => undefined} onNewConversation={onNew} />, { wrapper });
    await waitFor(() => expect(screen.getByTestId('cost-preview')).toHaveTextContent('예상 비용: 약 1,200토큰 · 최대 1,924토큰 · 남은 토큰의 2.4% · 이전 대화 비중 66.6% (오래된 내용 일부 제외)'), { timeout: 2_000 });
    fireEvent.click(screen.getByRole('button', { name: '새 대화 시작' }));
    expect(onNew).toHaveBeenCalled();
  });
});

describe('drafts', () => {
  it('are kept per conversation, and a failed question goes back only into an empty box', () => {
    writeDraft('c1', 'first');
    keepQuestion('c1', 'lost question');
    expect(readDraft('c1')).toBe('first');
    keepQuestion('c2', 'lost question');
    expect(readDraft('c2')).toBe('lost question');
  });

  it('the box shows the open conversation\'s draft and follows a question put back', () => {
    writeDraft('c1', 'draft one');
    const { result, rerender } = renderHook(({ id }) => useDraft(id), { initialProps: { id: 'c1' as string | null } });
    expect(result.current[0]).toBe('draft one');
    rerender({ id: null });
    expect(result.current[0]).toBe('');
    act(() => keepQuestion(null, 'sent but failed'));
    expect(result.current[0]).toBe('sent but failed');
    act(() => result.current[1]('typed'));
    expect(readDraft(null)).toBe('typed');
  });
});
