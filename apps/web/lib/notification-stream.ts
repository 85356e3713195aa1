'use client';

import { parseNotificationEvent } from '@consult-on/api-contract';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { shouldToast } from './alerts';
import { errorOf, handleUnauthorized, headers } from './api';
import { aboutOrganization, notificationMessage, notificationTitle } from './notification-text';
import { organizationPath } from './organizations';
import { useI18n } from './i18n';
import { queryKeys } from './queries';
import { readSse } from './sse';
import { useToast } from '@/components/Toasts';

/**
 * Listens on GET /api/notifications/stream (fetch + stream parser, because it needs the
 * Authorization header): pops a toast per notification, refreshes usage on usage events,
 * and reconnects with Last-Event-ID after a drop (not when a newer tab's stream replaced it).
 */
export function useNotificationStream(token: string | null | undefined) {
  const client = useQueryClient();
  const push = useToast();
  const { t, lang } = useI18n();
  useEffect(() => {
    if (!token) return;
    const controller = new AbortController();
    let lastEventId: string | null = null;
    let retry = 1000;
    let timer: number | undefined;
    // The server ends the oldest of a user's streams past its limit: that tab stops listening
    // rather than reconnect and push out another tab's stream in turn.
    let replaced = false;
    const connect = async () => {
      try {
        const extra: Record<string, string> = { Accept: 'text/event-stream' };
        if (lastEventId) extra['Last-Event-ID'] = lastEventId;
        const response = await fetch('/api/notifications/stream', { headers: headers(extra), signal: controller.signal, cache: 'no-store' });
        if (response.status === 401) return handleUnauthorized();
        if (!response.ok || !response.body) throw await errorOf(response);
        retry = 1000;
        await readSse(
          response.body,
          (sse) => {
            if (sse.id) lastEventId = sse.id;
            const event = parseNotificationEvent(sse.event, sse.data);
            if (event?.event === 'notification') {
              const item = event.data;
              // No toast for what the page already shows: its banner for this level.
              // One about an organization leads to its page (nothing to buy for it here), one about the reader's account to the purchase.
              const organizationId = aboutOrganization(item) ? item.organizationId : null;
              if (shouldToast(item.level)) push({
                title: notificationTitle(item, t, lang),
                message: notificationMessage(item, t, lang),
                tone: item.level === 'NORMAL' ? 'success' : item.level === 'WARNING' ? 'warning' : 'danger',
                link: organizationId ? organizationPath(organizationId) : item.level === 'NORMAL' ? undefined : '/purchase/',
                linkLabel: organizationId ? t('notifOpenOrganization') : t('buyTokens'),
              });
              void client.invalidateQueries({ queryKey: queryKeys.notifications() });
              void client.invalidateQueries({ queryKey: queryKeys.usage() });
            } else if (event?.event === 'usage') {
              void client.invalidateQueries({ queryKey: queryKeys.usage() });
            } else if (event?.event === 'closed') {
              replaced = event.data.reason === 'replaced';
            }
          },
          controller.signal,
        );
      } catch {
        /* dropped: reconnect below */
      }
      if (controller.signal.aborted || replaced) return;
      timer = window.setTimeout(() => void connect(), retry);
      retry = Math.min(retry * 2, 30_000);
    };
    void connect();
    return () => {
      controller.abort();
      if (timer) window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [token]);
}
