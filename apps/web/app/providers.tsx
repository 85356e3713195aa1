'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { usePathname } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import { ApiError } from '@/lib/api';
import { AuthProvider, useAuth } from '@/lib/auth';
import { I18nProvider, useI18n } from '@/lib/i18n';
import { useNotificationStream } from '@/lib/notification-stream';
import { pageTitle } from '@/lib/page-title';
import { isConversation } from '@/lib/queries';
import { ToastProvider } from '@/components/Toasts';

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
            refetchOnWindowFocus: true,
          },
        },
      }),
  );
  // A new language refetches what the server words (usage messages, notifications), but not an open
  // conversation: its messages read the same in any language, and a refetch would cut a streaming reply.
  const relocalize = () => void client.invalidateQueries({ predicate: (query) => !isConversation(query) });
  return (
    <QueryClientProvider client={client}>
      <I18nProvider onChange={relocalize}>
        <DocumentTitle />
        <ToastProvider>
          <AuthProvider>
            <NotificationListener />
            {children}
          </AuthProvider>
        </ToastProvider>
      </I18nProvider>
    </QueryClientProvider>
  );
}

/** The title bar in the page's language (React puts this <title> in the head), never Korean in English mode. */
function DocumentTitle() {
  const { t } = useI18n();
  return <title>{pageTitle(usePathname(), t)}</title>;
}

/** One live notification connection per tab, kept across page navigations (the root layout never unmounts). */
function NotificationListener() {
  const { token } = useAuth();
  useNotificationStream(token);
  return null;
}
