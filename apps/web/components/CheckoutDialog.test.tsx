import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CheckoutResultView, TokenPackageView, UsageView } from '@consult-on/api-contract';
import { I18nProvider } from '@/lib/i18n';
import { ko } from '@/messages/ko';
import { CheckoutDialog } from './CheckoutDialog';
import type { CheckoutProduct } from '@/lib/payments';

const pack: TokenPackageView = { id: 'tokens-50k', kind: 'package', name: '라이트 5만 토큰', tokens: 50_000, price: 5_000, currency: 'KRW', pricePer1kTokens: 100 };
const monthly: TokenPackageView = { id: 'monthly-test', kind: 'subscription', name: '월간 30만 토큰', tokens: 300_000, price: 9_900, currency: 'KRW', pricePer1kTokens: 33 };
const paid = { order: { status: 'PAID', tokens: 50_000 }, checkout: { type: 'instant' }, usage: { remainingTokens: 150_000 } as UsageView } as CheckoutResultView;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** Answers the purchase requests with `answers` in turn and records each one's path, key and body. */
function serve(...answers: (() => Response | Promise<Response>)[]) {
  const requests: { path: string; key: string | undefined; body: unknown }[] = [];
  vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    requests.push({ path, key: headers['Idempotency-Key'], body: JSON.parse(String(init.body)) });
    return answers.shift()!();
  });
  return requests;
}

function renderDialog(product: CheckoutProduct) {
  const onDone = vi.fn();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <I18nProvider>
        <CheckoutDialog product={product} onClose={() => undefined} onDone={onDone} />
      </I18nProvider>
    </QueryClientProvider>,
  );
  return { onDone, confirm: () => screen.getByTestId('confirm-purchase') };
}

// jsdom has <dialog> without its modal methods.
beforeAll(() => {
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.open = false;
  };
});

afterEach(() => vi.unstubAllGlobals());

describe('CheckoutDialog', () => {
  it('keeps one Idempotency-Key across a retry after the provider was unavailable', async () => {
    const requests = serve(
      () => json(503, { code: 'PAYMENT_PROVIDER_UNAVAILABLE', message: '결제사가 응답하지 않습니다. 잠시 후 다시 시도해 주세요.' }),
      () => json(200, paid),
    );
    const { onDone, confirm } = renderDialog(pack);
    expect(screen.getByText('라이트 5만 토큰(50,000토큰)을 5,000원에 구매하시겠습니까?')).toBeInTheDocument();
    fireEvent.click(confirm());
    fireEvent.click(confirm());
    expect(await screen.findByTestId('checkout-error')).toHaveTextContent('결제사가 응답하지 않습니다.');
    expect(confirm()).toHaveTextContent(ko.retry);
    fireEvent.click(confirm());
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(paid));
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ path: '/api/ai-usage/purchase', body: { packageId: 'tokens-50k' } });
    expect(requests[0]!.key).toBeTruthy();
    expect(requests[1]!.key).toBe(requests[0]!.key);
  });

  it('says there is no connection instead of "Failed to fetch"', async () => {
    serve(() => Promise.reject(new TypeError('Failed to fetch')));
    const { confirm } = renderDialog(pack);
    fireEvent.click(confirm());
    expect(await screen.findByTestId('checkout-error')).toHaveTextContent(ko.networkError);
    expect(screen.queryByText(/Failed to fetch/)).not.toBeInTheDocument();
  });

  it('subscribes to a monthly product through its own endpoint', async () => {
    const requests = serve(() => json(200, { ...paid, order: { ...paid.order, kind: 'subscription' } }));
    const { onDone, confirm } = renderDialog(monthly);
    expect(screen.getByRole('heading')).toHaveTextContent(ko.subscribeTitle);
    expect(confirm()).toHaveTextContent(ko.subscribeConfirm);
    fireEvent.click(confirm());
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(requests[0]).toMatchObject({ path: '/api/payments/subscriptions', body: { productId: 'monthly-test' } });
  });

  it('buys a plan and an organization’s bulk package through their own endpoints, saying what each does', async () => {
    const requests = serve(
      () => json(200, paid),
      () => json(200, paid),
    );
    const plan = renderDialog({ id: 'plus', kind: 'plan', name: '플러스', tokens: 1_000_000, price: 9_900, currency: 'KRW' });
    expect(screen.getByRole('heading')).toHaveTextContent(ko.plansBuyTitle);
    expect(plan.confirm()).toHaveTextContent(ko.plansBuyConfirm);
    expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('지금 9,900원이 결제되고 바로 적용되어');
    fireEvent.click(plan.confirm());
    await waitFor(() => expect(plan.onDone).toHaveBeenCalled());
    expect(requests[0]).toMatchObject({ path: '/api/plans/subscribe', body: { planId: 'plus' } });
    cleanup();
    const bulk = renderDialog({ ...pack, id: 'org-tokens-1m', organizationId: 'org-1' });
    fireEvent.click(bulk.confirm());
    await waitFor(() => expect(bulk.onDone).toHaveBeenCalled());
    expect(requests[1]).toMatchObject({ path: '/api/organizations/org-1/purchase', body: { packageId: 'org-tokens-1m' } });
  });

  it('shows "결제창으로 이동 중…" while handing over to the provider', async () => {
    window.TossPayments = () => ({ payment: () => ({ requestPayment: () => new Promise(() => undefined), requestBillingAuth: () => new Promise(() => undefined) }) });
    serve(() =>
      json(200, {
        ...paid,
        order: { status: 'PENDING' },
        checkout: { type: 'toss', flow: 'payment', sdkUrl: 'https://js.tosspayments.com/v2/standard', clientKey: 'ck', customerKey: 'u1', orderId: 'o1', orderName: 'n', amount: 5_000, successUrl: 'https://a/s', failUrl: 'https://a/f' },
      }),
    );
    const { onDone, confirm } = renderDialog(pack);
    fireEvent.click(confirm());
    await waitFor(() => expect(confirm()).toHaveTextContent(ko.redirecting));
    expect(confirm()).toBeDisabled();
    expect(onDone).not.toHaveBeenCalled();
    delete window.TossPayments;
  });
});
