import type { Metadata, Viewport } from 'next';
import '@fontsource-variable/noto-sans-kr';
import './globals.css';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: 'Consult-On — AI 상담',
  description: 'AI 상담 서비스 Consult-On',
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
