'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api';
import { pollDelayMs, POLL_LIMIT_MS, shouldConfirm, type ResultOutcome, type ResultQuery } from './payment-result';
import { queryKeys } from './queries';
import type { OrderResultView, OrderView } from '@consult-on/api-contract';

/** The provider's reason from the fail return, as the API takes it (a code in capitals, a short message). */
export function abandonBody(query: ResultQuery): { code?: string; message?: string } {
  const body: { code?: string; message?: string } = {};
  if (query.failureCode && /^[A-Z0-9_]{1,64}$/.test(query.failureCode)) body.code = query.failureCode;
  if (query.failureMessage) body.message = query.failureMessage.slice(0, 500);
  return body;
}

const sleep = (ms: number) => new Promise((resolve) => window.setTimeout(resolve, ms));

/**
 * Confirms the order the provider sent the customer back for, asking again while it is pending
 * (a payment the provider has not reported yet), up to POLL_LIMIT_MS. Started once per page,
 * also under React's strict mode, which runs effects twice.
 */
export function useOrderResult(query: ResultQuery | null) {
  const client = useQueryClient();
  const [outcome, setOutcome] = useState<ResultOutcome | null>(null);
  const [slow, setSlow] = useState(false);
  const started = useRef(false);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const poll = useCallback(
    async (q: ResultQuery) => {
      const deadline = Date.now() + POLL_LIMIT_MS;
      for (let attempt = 0; ; attempt += 1) {
        let next: ResultOutcome;
        try {
          next = shouldConfirm(q)
            ? await api<OrderResultView>(`/api/payments/orders/${q.orderId}/confirm`, { body: q.confirm })
            : q.failed
              ? // The customer left the window (or the card was refused there): the order ends with that reason, unless it was paid after all.
                await api<OrderResultView>(`/api/payments/orders/${q.orderId}/abandon`, { body: abandonBody(q) })
              : { order: await api<OrderView>(`/api/payments/orders/${q.orderId}`), usage: null };
        } catch (error) {
          next = { error };
        }
        if (!alive.current) return;
        setOutcome(next);
        if ('order' in next) {
          void client.invalidateQueries({ queryKey: queryKeys.payments() });
          if (next.order.status !== 'PENDING') {
            if (next.usage) client.setQueryData(queryKeys.usage(), next.usage);
            void client.invalidateQueries({ queryKey: queryKeys.usage() });
            void client.invalidateQueries({ queryKey: queryKeys.history() });
          }
        }
        if ('error' in next || next.order.status !== 'PENDING' || q.failed) return;
        const delay = pollDelayMs(attempt);
        if (Date.now() + delay > deadline) {
          setSlow(true);
          return;
        }
        await sleep(delay);
        if (!alive.current) return;
      }
    },
    [client],
  );

  useEffect(() => {
    if (!query?.orderId || started.current) return;
    started.current = true;
    void poll(query);
  }, [query, poll]);

  const again = () => {
    if (!query) return;
    setSlow(false);
    setOutcome((current) => (current && 'error' in current ? null : current));
    void poll(query);
  };
  return { outcome, slow, again };
}
