import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CheckoutView, OrderView } from '@consult-on/api-contract';
import { CheckoutError, handOffCheckout, loadTossSdk, needsProvider, type HandOffEnvironment, type TossPaymentsFactory } from './payments';

const ORDER_ID = '3f2a91c0-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const RETURN = `https://consult-on.example/purchase/result/?order=${ORDER_ID}`;

const pending = { status: 'PENDING' } as OrderView;
const paid = { status: 'PAID' } as OrderView;

const tossPayment: CheckoutView = {
  type: 'toss',
  flow: 'payment',
  sdkUrl: 'https://js.tosspayments.com/v2/standard',
  clientKey: 'test_ck_123',
  customerKey: 'user-1',
  orderId: ORDER_ID,
  orderName: '라이트 5만 토큰',
  amount: 5_000,
  currency: 'KRW',
  customerEmail: 'buyer@example.com',
  successUrl: RETURN,
  failUrl: `${RETURN}&failed=1`,
};

/** A stand-in for Toss's SDK v2 that records what it was asked, answering each request with `answer`. */
function fakeToss(answer: () => Promise<unknown> = () => Promise.resolve()) {
  const calls = { clientKeys: [] as string[], customers: [] as unknown[], payments: [] as unknown[], billings: [] as unknown[] };
  const factory: TossPaymentsFactory = (clientKey) => {
    calls.clientKeys.push(clientKey);
    return {
      payment: (options) => {
        calls.customers.push(options);
        return {
          requestPayment: (request) => (calls.payments.push(request), answer()),
          requestBillingAuth: (request) => (calls.billings.push(request), answer()),
        };
      },
    };
  };
  return { factory, calls };
}

function environment(toss?: TossPaymentsFactory) {
  const location = { assign: vi.fn<(url: string | URL) => void>() };
  const loadToss = vi.fn(async (_sdkUrl: string) => toss ?? fakeToss().factory);
  return { location, loadToss } satisfies HandOffEnvironment;
}

afterEach(() => {
  delete window.TossPayments;
  document.head.querySelectorAll('script[data-toss-sdk]').forEach((script) => script.remove());
});

describe('handOffCheckout', () => {
  it('is done for the instant provider, without leaving the page', async () => {
    const env = environment();
    expect(await handOffCheckout({ order: paid, checkout: { type: 'instant' } }, env)).toBe('done');
    expect(env.location.assign).not.toHaveBeenCalled();
    expect(env.loadToss).not.toHaveBeenCalled();
    expect(needsProvider({ order: paid, checkout: { type: 'instant' } })).toBe(false);
  });

  it('is done for an order paid already (a replayed request), whatever the checkout', async () => {
    const env = environment();
    expect(await handOffCheckout({ order: paid, checkout: { type: 'redirect', url: 'https://checkout.stripe.com/c/pay/cs_1' } }, env)).toBe('done');
    expect(env.location.assign).not.toHaveBeenCalled();
  });

  it("sends a replayed request whose order failed meanwhile to that order's page, never to a new payment window", async () => {
    const env = environment();
    const failed = { ...pending, status: 'FAILED' as const };
    expect(await handOffCheckout({ order: failed, checkout: { type: 'none' } }, env)).toBe('navigating');
    expect(env.location.assign).toHaveBeenCalledExactlyOnceWith(`/purchase/result/?order=${failed.id}`);
    expect(env.loadToss).not.toHaveBeenCalled();
  });

  it("sends the browser to Stripe Checkout's URL with location.assign", async () => {
    const env = environment();
    const result = { order: pending, checkout: { type: 'redirect' as const, url: 'https://checkout.stripe.com/c/pay/cs_test_1' } };
    expect(needsProvider(result)).toBe(true);
    expect(await handOffCheckout(result, env)).toBe('navigating');
    expect(env.location.assign).toHaveBeenCalledExactlyOnceWith('https://checkout.stripe.com/c/pay/cs_test_1');
  });

  it('refuses a redirect without a URL', async () => {
    await expect(handOffCheckout({ order: pending, checkout: { type: 'redirect' } }, environment())).rejects.toBeInstanceOf(CheckoutError);
  });

  it("opens Toss's payment window with the order's id, name and amount", async () => {
    const toss = fakeToss();
    const env = environment(toss.factory);
    expect(await handOffCheckout({ order: pending, checkout: tossPayment }, env)).toBe('navigating');
    expect(env.loadToss).toHaveBeenCalledWith('https://js.tosspayments.com/v2/standard');
    expect(toss.calls.clientKeys).toEqual(['test_ck_123']);
    expect(toss.calls.customers).toEqual([{ customerKey: 'user-1' }]);
    expect(toss.calls.payments).toEqual([
      {
        method: 'CARD',
        amount: { currency: 'KRW', value: 5_000 },
        orderId: ORDER_ID,
        orderName: '라이트 5만 토큰',
        successUrl: RETURN,
        failUrl: `${RETURN}&failed=1`,
        customerEmail: 'buyer@example.com',
      },
    ]);
    expect(toss.calls.billings).toEqual([]);
  });

  it("opens Toss's card registration for a monthly product", async () => {
    const toss = fakeToss();
    const billing: CheckoutView = { ...tossPayment, flow: 'billing', customerEmail: null };
    expect(await handOffCheckout({ order: pending, checkout: billing }, environment(toss.factory))).toBe('navigating');
    expect(toss.calls.billings).toEqual([{ method: 'CARD', successUrl: RETURN, failUrl: `${RETURN}&failed=1`, customerEmail: undefined }]);
    expect(toss.calls.payments).toEqual([]);
  });

  it('uses the SDK the page loaded: window.TossPayments', async () => {
    const toss = fakeToss();
    window.TossPayments = toss.factory;
    expect(await handOffCheckout({ order: pending, checkout: tossPayment }, { location: { assign: vi.fn<(url: string | URL) => void>() }, loadToss: loadTossSdk })).toBe('navigating');
    expect(toss.calls.payments).toHaveLength(1);
  });

  it('is cancelled when the customer closes the Toss window', async () => {
    const toss = fakeToss(() => Promise.reject(Object.assign(new Error('사용자가 결제를 취소하였습니다'), { code: 'USER_CANCEL' })));
    expect(await handOffCheckout({ order: pending, checkout: tossPayment }, environment(toss.factory))).toBe('canceled');
  });

  it("reports the SDK's refusal with its code", async () => {
    const toss = fakeToss(() => Promise.reject(Object.assign(new Error('잘못된 요청'), { code: 'INVALID_PARAMETERS' })));
    const error = await handOffCheckout({ order: pending, checkout: tossPayment }, environment(toss.factory)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CheckoutError);
    expect(error).toMatchObject({ code: 'INVALID_PARAMETERS', message: '잘못된 요청' });
  });

  it('refuses an incomplete Toss checkout before loading anything', async () => {
    const env = environment();
    await expect(handOffCheckout({ order: pending, checkout: { ...tossPayment, clientKey: undefined } }, env)).rejects.toBeInstanceOf(CheckoutError);
    expect(env.loadToss).not.toHaveBeenCalled();
  });
});

describe('loadTossSdk', () => {
  it('adds one script tag for the SDK and resolves with TossPayments once it loaded', async () => {
    const url = 'https://js.tosspayments.com/v2/standard?load';
    const first = loadTossSdk(url);
    const second = loadTossSdk(url);
    const scripts = document.head.querySelectorAll<HTMLScriptElement>('script[data-toss-sdk]');
    expect(scripts).toHaveLength(1);
    expect(scripts[0]!.src).toBe(url);
    const toss = fakeToss().factory;
    window.TossPayments = toss;
    scripts[0]!.dispatchEvent(new Event('load'));
    await expect(first).resolves.toBe(toss);
    await expect(second).resolves.toBe(toss);
  });

  it('fails when the script does not load, and a later try adds a fresh tag', async () => {
    const url = 'https://js.tosspayments.com/v2/standard?error';
    const attempt = loadTossSdk(url);
    document.head.querySelector<HTMLScriptElement>('script[data-toss-sdk]')!.dispatchEvent(new Event('error'));
    await expect(attempt).rejects.toMatchObject({ code: 'SDK_LOAD_FAILED' });
    expect(document.head.querySelectorAll('script[data-toss-sdk]')).toHaveLength(0);
    void loadTossSdk(url).catch(() => undefined);
    expect(document.head.querySelectorAll('script[data-toss-sdk]')).toHaveLength(1);
  });

  it('fails when the script loaded but defined no TossPayments', async () => {
    const url = 'https://js.tosspayments.com/v2/standard?empty';
    const attempt = loadTossSdk(url);
    document.head.querySelector<HTMLScriptElement>('script[data-toss-sdk]')!.dispatchEvent(new Event('load'));
    await expect(attempt).rejects.toBeInstanceOf(CheckoutError);
  });
});
