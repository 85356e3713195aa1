/**
 * The payment result page's decisions, kept pure: what the provider's return query says, what to
 * send to the API, and which state to show for the answer.
 */

import type { ConfirmOrderDto, OrderView, UsageView } from '@consult-on/api-contract';
import { ApiError } from './api';
import { isNetworkError } from './error-text';
import { isSettled } from './payments';

/** The fields of ConfirmOrderDto, the only query parameters passed on (the API refuses others). */
const CONFIRM_FIELDS = ['paymentKey', 'orderId', 'amount', 'authKey', 'customerKey', 'sessionId'] as const;

/**
 * Fail codes of a customer who closed or cancelled the window, so nothing was tried on the card:
 * Toss's, and the API's USER_CANCELED for a fail return without a code (Stripe's cancel page).
 */
const CANCEL_CODES = new Set(['PAY_PROCESS_CANCELED', 'USER_CANCEL', 'USER_CANCELED']);

export interface ResultQuery {
  orderId: string | null;
  /** The provider sent the customer to the fail URL (Toss: with code and message; Stripe's cancel: without). */
  failed: boolean;
  failureCode: string | null;
  failureMessage: string | null;
  /** The provider's success parameters, exactly as returned. */
  confirm: ConfirmOrderDto;
}

export function parseResultQuery(search: string): ResultQuery {
  const params = new URLSearchParams(search);
  const confirm: ConfirmOrderDto = {};
  for (const field of CONFIRM_FIELDS) {
    const value = params.get(field);
    if (value !== null && value !== '') confirm[field] = value;
  }
  const orderId = params.get('order');
  return {
    orderId: orderId && /^[0-9a-f-]{36}$/i.test(orderId) ? orderId : null,
    failed: params.get('failed') === '1',
    failureCode: params.get('code') || null,
    failureMessage: params.get('message') || null,
    confirm,
  };
}

/**
 * Whether to confirm the order with the provider's return (POST …/confirm) or only read it
 * (GET). A fail return has nothing to confirm, and a confirmation without the provider's
 * parameters would be refused by the provider and fail the order.
 */
export function shouldConfirm(query: ResultQuery): boolean {
  return !query.failed && Object.keys(query.confirm).length > 0;
}

/** What the last request answered: the order (with the balance when the API sent it), or an error. */
export type ResultOutcome = { order: OrderView; usage: UsageView | null } | { error: unknown };

export type ResultErrorReason = 'amount-mismatch' | 'unavailable' | 'network' | 'not-found' | 'other';

export type ResultState =
  | { kind: 'missing' }
  | { kind: 'checking' }
  | { kind: 'paid'; order: OrderView; usage: UsageView | null }
  | { kind: 'pending'; order: OrderView; slow: boolean }
  | { kind: 'failed'; order: OrderView | null; code: string | null; message: string | null }
  | { kind: 'canceled'; order: OrderView | null }
  | { kind: 'error'; reason: ResultErrorReason; message: string | null };

function fromReturn(query: ResultQuery, order: OrderView | null): ResultState {
  if (!query.failureCode || CANCEL_CODES.has(query.failureCode)) return { kind: 'canceled', order };
  return { kind: 'failed', order, code: query.failureCode, message: query.failureMessage };
}

/**
 * The state to show. The order as the API has it wins (a payment completed by the webhook is
 * paid whatever the return says); a fail return decides for an order still pending; `slow` is
 * set once polling a pending order gave up.
 */
export function decideResult(query: ResultQuery, outcome: ResultOutcome | null, slow = false): ResultState {
  if (!query.orderId) return { kind: 'missing' };
  if (outcome === null) return { kind: 'checking' };
  if ('error' in outcome) {
    // The provider's fail return is enough to say what happened, even when the order could not be read.
    if (query.failed) return fromReturn(query, null);
    const error = outcome.error;
    if (error instanceof ApiError) {
      if (error.code === 'AMOUNT_MISMATCH') return { kind: 'error', reason: 'amount-mismatch', message: error.message };
      if (error.status === 503) return { kind: 'error', reason: 'unavailable', message: error.message };
      if (error.status === 404) return { kind: 'error', reason: 'not-found', message: null };
      return { kind: 'error', reason: 'other', message: error.message };
    }
    return { kind: 'error', reason: isNetworkError(error) ? 'network' : 'other', message: null };
  }
  const { order, usage } = outcome;
  if (isSettled(order)) return { kind: 'paid', order, usage };
  if (order.status === 'FAILED') {
    if (order.failure && CANCEL_CODES.has(order.failure.code)) return { kind: 'canceled', order };
    return { kind: 'failed', order, code: order.failure?.code ?? null, message: order.failure?.message ?? null };
  }
  if (query.failed) return fromReturn(query, order);
  return { kind: 'pending', order, slow };
}

/** How long to wait before asking again about a pending order: 2 s, 3 s, 5 s, 8 s, then every 10 s. */
export function pollDelayMs(attempt: number): number {
  return [2_000, 3_000, 5_000, 8_000][attempt] ?? 10_000;
}

/** Polling a pending order stops after this long; the page then says it is still being processed. */
export const POLL_LIMIT_MS = 120_000;
