import type { Metadata, Viewport } from 'next';
import '@fontsource-variable/noto-sans-kr';
import './globals.css';
import { ko } from '@/messages/ko';
import { Providers } from './providers';

// No title here: the title bar follows the page and its language (DocumentTitle in providers.tsx).
export const metadata: Metadata = {
  description: ko.appDescription,
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="ko">
      <body className="min-h-screen font-sans">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
