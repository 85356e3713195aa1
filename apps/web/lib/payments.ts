/**
 * Handing a checkout over to the payment provider: what the browser does with the `checkout` of
 * POST /api/ai-usage/purchase or /api/payments/subscriptions. Shared by every way of buying
 * (packages, monthly products, plan changes later), so each only opens an order and calls this.
 */

import type { CheckoutResultView, CheckoutView, OrderView, TokenPackageView } from '@consult-on/api-contract';
import { api } from './api';

/** The part of Toss Payments' JS SDK v2 this app calls. */
export interface TossPaymentRequest {
  method: 'CARD';
  amount: { currency: 'KRW'; value: number };
  orderId: string;
  orderName: string;
  successUrl: string;
  failUrl: string;
  customerEmail?: string;
}

export interface TossBillingAuthRequest {
  method: 'CARD';
  successUrl: string;
  failUrl: string;
  customerEmail?: string;
}

export interface TossPaymentHandle {
  requestPayment(request: TossPaymentRequest): Promise<unknown>;
  requestBillingAuth(request: TossBillingAuthRequest): Promise<unknown>;
}

export type TossPaymentsFactory = (clientKey: string) => { payment(options: { customerKey: string }): TossPaymentHandle };

declare global {
  interface Window {
    TossPayments?: TossPaymentsFactory;
  }
}

/** The payment window could not be opened (the SDK did not load, or refused the request). */
export class CheckoutError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * done: the order is paid already (instant provider, or a replayed request);
 * navigating: the browser is on its way to the provider, which sends it back to /purchase/result/;
 * canceled: the customer closed the provider's window (nothing was charged).
 */
export type HandOffOutcome = 'done' | 'navigating' | 'canceled';

/** Error codes the Toss SDK rejects with when the customer closes its window. */
const TOSS_CANCEL_CODES = new Set(['USER_CANCEL', 'PAY_PROCESS_CANCELED']);

export interface HandOffEnvironment {
  location: Pick<Location, 'assign'>;
  loadToss: (sdkUrl: string) => Promise<TossPaymentsFactory>;
}

function defaultEnvironment(): HandOffEnvironment {
  return { location: window.location, loadToss: loadTossSdk };
}

/** Whether an order needs nothing more from the customer. */
export function isSettled(order: Pick<OrderView, 'status'>): boolean {
  return order.status === 'PAID' || order.status === 'PARTIALLY_REFUNDED' || order.status === 'REFUNDED';
}

/**
 * Sends the customer to pay `result`'s order: Stripe Checkout by a full-page redirect, Toss by its
 * SDK (a payment, or a card registration for a monthly product). Resolves when the browser stays
 * here; while the provider's window is on its way the promise may never resolve.
 */
export async function handOffCheckout(result: Pick<CheckoutResultView, 'order' | 'checkout'>, environment: HandOffEnvironment = defaultEnvironment()): Promise<HandOffOutcome> {
  const { checkout, order } = result;
  if (checkout.type === 'instant' || isSettled(order)) return 'done';
  // A replayed request whose order is no longer pending (it failed meanwhile): its page says what happened.
  if (checkout.type === 'none') {
    environment.location.assign(`/purchase/result/?order=${encodeURIComponent(order.id)}`);
    return 'navigating';
  }
  if (checkout.type === 'redirect') {
    if (!checkout.url) throw new CheckoutError('NO_CHECKOUT_URL', 'The checkout has no URL');
    environment.location.assign(checkout.url);
    return 'navigating';
  }
  return openTossWindow(checkout, environment);
}

async function openTossWindow(checkout: CheckoutView, environment: HandOffEnvironment): Promise<HandOffOutcome> {
  const { sdkUrl, clientKey, customerKey, successUrl, failUrl } = checkout;
  if (!sdkUrl || !clientKey || !customerKey || !successUrl || !failUrl) throw new CheckoutError('INVALID_CHECKOUT', 'The Toss checkout is incomplete');
  const TossPayments = await environment.loadToss(sdkUrl);
  const payment = TossPayments(clientKey).payment({ customerKey });
  const customerEmail = checkout.customerEmail ?? undefined;
  try {
    if (checkout.flow === 'billing') {
      await payment.requestBillingAuth({ method: 'CARD', successUrl, failUrl, customerEmail });
    } else {
      if (!checkout.orderId || !checkout.orderName || checkout.amount === undefined) throw new CheckoutError('INVALID_CHECKOUT', 'The Toss checkout is incomplete');
      await payment.requestPayment({
        method: 'CARD',
        amount: { currency: 'KRW', value: checkout.amount },
        orderId: checkout.orderId,
        orderName: checkout.orderName,
        successUrl,
        failUrl,
        customerEmail,
      });
    }
  } catch (error) {
    if (error instanceof CheckoutError) throw error;
    const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'TOSS_ERROR';
    if (TOSS_CANCEL_CODES.has(code)) return 'canceled';
    throw new CheckoutError(code, error instanceof Error ? error.message : String(error));
  }
  return 'navigating';
}

/** What the checkout dialog sells: a token package, a monthly product, or a paid plan (kind `plan`, its id the plan's; `tokens` its monthly tokens). */
export type CheckoutProduct = Pick<TokenPackageView, 'id' | 'name' | 'tokens' | 'price' | 'currency'> & {
  kind: TokenPackageView['kind'] | 'plan';
  /** A bulk package bought for this organization's pool. */
  organizationId?: string;
};

/**
 * Opens an order for a product (one per Idempotency-Key: a double click or a retry after an error
 * is the same order) and returns how to pay it.
 */
export function requestCheckout(product: Pick<CheckoutProduct, 'id' | 'kind' | 'organizationId'>, idempotencyKey: string): Promise<CheckoutResultView> {
  if (product.organizationId) return api<CheckoutResultView>(`/api/organizations/${encodeURIComponent(product.organizationId)}/purchase`, { body: { packageId: product.id }, idempotencyKey });
  if (product.kind === 'plan') return api<CheckoutResultView>('/api/plans/subscribe', { body: { planId: product.id }, idempotencyKey });
  return product.kind === 'subscription'
    ? api<CheckoutResultView>('/api/payments/subscriptions', { body: { productId: product.id }, idempotencyKey })
    : api<CheckoutResultView>('/api/ai-usage/purchase', { body: { packageId: product.id }, idempotencyKey });
}

const loading = new Map<string, Promise<TossPaymentsFactory>>();

/**
 * Loads Toss's SDK from `sdkUrl` with a script tag, once per page (the page's CSP allows that
 * origin). A failed load is forgotten, so trying again adds a fresh tag.
 */
export function loadTossSdk(sdkUrl: string): Promise<TossPaymentsFactory> {
  if (window.TossPayments) return Promise.resolve(window.TossPayments);
  let promise = loading.get(sdkUrl);
  if (!promise) {
    promise = new Promise<TossPaymentsFactory>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = sdkUrl;
      script.async = true;
      script.dataset.tossSdk = '';
      script.addEventListener('load', () => {
        if (window.TossPayments) resolve(window.TossPayments);
        else reject(new CheckoutError('SDK_LOAD_FAILED', 'The Toss SDK loaded without TossPayments'));
      });
      script.addEventListener('error', () => {
        script.remove();
        reject(new CheckoutError('SDK_LOAD_FAILED', `Could not load ${sdkUrl}`));
      });
      document.head.appendChild(script);
    });
    loading.set(sdkUrl, promise);
    promise.catch(() => loading.delete(sdkUrl));
  }
  return promise;
}

/** Whether the customer still has to go to the provider to pay the order just opened. */
export function needsProvider(result: Pick<CheckoutResultView, 'order' | 'checkout'>): boolean {
  return result.checkout.type !== 'instant' && !isSettled(result.order);
}
