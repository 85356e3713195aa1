import Link from 'next/link';

export default function NotFound() {
  return (
    <main id="main" className="mx-auto max-w-md p-8 text-center">
      <h1 className="text-2xl font-bold">404 — 페이지를 찾을 수 없습니다</h1>
      <p className="mt-2 text-slate-700">Page not found</p>
      <Link href="/dashboard/" className="btn btn-primary mt-6">
        대시보드 / Dashboard
      </Link>
    </main>
  );
}
