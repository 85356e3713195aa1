import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OrderView, UsageView } from '@consult-on/api-contract';
import { parseResultQuery } from './payment-result';
import { queryKeys } from './queries';
import { useOrderResult } from './use-order-result';

const ORDER_ID = '3f2a91c0-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const CONFIRM = `POST /api/payments/orders/${ORDER_ID}/confirm`;
const READ = `GET /api/payments/orders/${ORDER_ID}`;
const ABANDON = `POST /api/payments/orders/${ORDER_ID}/abandon`;

function order(status: OrderView['status']): OrderView {
  return { id: ORDER_ID, status, tokens: 50_000, amount: 5_000, currency: 'KRW' } as OrderView;
}
const usage = { remainingTokens: 150_000 } as UsageView;

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** Answers each request with the next of `answers` for its route, and lists the requests with their bodies. */
function serve(answers: Record<string, (() => Response)[]>) {
  const requests: { route: string; body: unknown }[] = [];
  vi.stubGlobal('fetch', async (path: string, init?: RequestInit) => {
    const route = `${init?.method ?? 'GET'} ${path}`;
    requests.push({ route, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const next = answers[route]?.shift();
    return next ? next() : json({ code: 'NOT_FOUND', message: 'Not found' }, 404);
  });
  return requests;
}

function renderResult(search: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  const query = parseResultQuery(search);
  return { client, ...renderHook(() => useOrderResult(query), { wrapper, reactStrictMode: true }) };
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('useOrderResult', () => {
  it('confirms once under strict mode, with exactly the provider parameters, and stores the new balance', async () => {
    const requests = serve({ [CONFIRM]: [() => json({ order: order('PAID'), usage })] });
    const { result, client } = renderResult(`?order=${ORDER_ID}&paymentType=NORMAL&paymentKey=pk_1&orderId=${ORDER_ID}&amount=5000`);
    await waitFor(() => expect(result.current.outcome).toEqual({ order: order('PAID'), usage }));
    expect(requests).toEqual([{ route: CONFIRM, body: { paymentKey: 'pk_1', orderId: ORDER_ID, amount: '5000' } }]);
    expect(client.getQueryData(queryKeys.usage())).toEqual(usage);
  });

  it('asks again while the order is pending, backing off, until it is paid', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const requests = serve({
      [CONFIRM]: [() => json({ order: order('PENDING'), usage }), () => json({ order: order('PENDING'), usage }), () => json({ order: order('PAID'), usage })],
    });
    const { result } = renderResult(`?order=${ORDER_ID}&sessionId=cs_test_1`);
    await waitFor(() => expect(result.current.outcome).toMatchObject({ order: { status: 'PENDING' } }));
    // The first wait is 2 s (real time also moves the fake clock a little: hence the margin).
    await act(() => vi.advanceTimersByTimeAsync(1_800));
    expect(requests).toHaveLength(1);
    await act(() => vi.advanceTimersByTimeAsync(200));
    await waitFor(() => expect(requests).toHaveLength(2));
    await act(() => vi.advanceTimersByTimeAsync(3_000));
    await waitFor(() => expect(result.current.outcome).toMatchObject({ order: { status: 'PAID' } }));
    expect(requests).toHaveLength(3);
    expect(result.current.slow).toBe(false);
  });

  it('gives up after about two minutes and says so, and checks again on request', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const requests = serve({ [CONFIRM]: Array.from({ length: 30 }, () => () => json({ order: order('PENDING'), usage })) });
    const { result } = renderResult(`?order=${ORDER_ID}&sessionId=cs_test_1`);
    await waitFor(() => expect(requests).toHaveLength(1));
    await act(() => vi.advanceTimersByTimeAsync(125_000));
    await waitFor(() => expect(result.current.slow).toBe(true));
    const asked = requests.length;
    expect(asked).toBeGreaterThanOrEqual(12);
    expect(asked).toBeLessThanOrEqual(16);
    act(() => result.current.again());
    expect(result.current.slow).toBe(false);
    await waitFor(() => expect(requests).toHaveLength(asked + 1));
  });

  it("ends the order with the provider's reason after a fail return, once, and does not poll it", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const requests = serve({ [ABANDON]: [() => json({ order: order('FAILED'), usage })] });
    const { result } = renderResult(`?order=${ORDER_ID}&failed=1&code=PAY_PROCESS_CANCELED&message=x&orderId=${ORDER_ID}`);
    await waitFor(() => expect(result.current.outcome).toEqual({ order: order('FAILED'), usage }));
    await act(() => vi.advanceTimersByTimeAsync(10_000));
    expect(requests).toEqual([{ route: ABANDON, body: { code: 'PAY_PROCESS_CANCELED', message: 'x' } }]);
  });

  it('only reads an order whose return carries nothing to confirm', async () => {
    const requests = serve({ [READ]: [() => json(order('PAID'))] });
    const { result } = renderResult(`?order=${ORDER_ID}`);
    await waitFor(() => expect(result.current.outcome).toEqual({ order: order('PAID'), usage: null }));
    expect(requests.map((request) => request.route)).toEqual([READ]);
  });

  it('keeps a network failure as the outcome, and retries it on request', async () => {
    let calls = 0;
    vi.stubGlobal('fetch', async () => {
      calls += 1;
      if (calls === 1) throw new TypeError('Failed to fetch');
      return json({ order: order('PAID'), usage });
    });
    const { result } = renderResult(`?order=${ORDER_ID}&sessionId=cs_test_1`);
    await waitFor(() => expect(result.current.outcome).toMatchObject({ error: expect.any(TypeError) }));
    act(() => result.current.again());
    await waitFor(() => expect(result.current.outcome).toMatchObject({ order: { status: 'PAID' } }));
    expect(calls).toBe(2);
  });
});
