import Link from 'next/link';
import { en } from '@/messages/en';
import { ko } from '@/messages/ko';

/** Served as the static 404 page for any path, before the stored language is known: so in both languages. */
export default function NotFound() {
  return (
    <main id="main" className="mx-auto max-w-md p-8 text-center">
      <h1 className="text-2xl font-bold">404 — {ko.notFoundTitle}</h1>
      <p className="mt-2 text-slate-700">{en.notFoundTitle}</p>
      <Link href="/dashboard/" className="btn btn-primary mt-6">
        {ko.navDashboard} / {en.navDashboard}
      </Link>
    </main>
  );
}
