'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '@/lib/api';
import { useAuth } from '@/lib/auth';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { safeNext } from '@/lib/safe-next';
import type { SessionView } from '@consult-on/api-contract';
import { PublicPage } from './PublicPage';

/** Where to go once signed in: `?next=` if it stays on this site, else the dashboard. */
function nextPage(): string {
  return safeNext(new URLSearchParams(window.location.search).get('next'), window.location.origin);
}

export function AuthForm({ mode }: { mode: 'login' | 'register' }) {
  const { t, lang } = useI18n();
  const { token, signIn } = useAuth();
  const router = useRouter();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [expired, setExpired] = useState(false);
  const [deleted, setDeleted] = useState(false);
  const [busy, setBusy] = useState(false);
  // Switching between login and sign-up keeps where to go afterwards (an invitation link, for one).
  const [carry, setCarry] = useState('');
  useEffect(() => {
    const query = new URLSearchParams(window.location.search);
    setExpired(query.has('expired'));
    setDeleted(query.has('deleted'));
    if (query.get('next')) setCarry(`?next=${encodeURIComponent(nextPage())}`);
  }, []);
  useEffect(() => {
    if (token) router.replace(nextPage());
  }, [token, router]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = mode === 'register' ? { email, password, locale: lang } : { email, password };
      const session = await api<SessionView>(`/api/auth/${mode}`, { body, redirectOn401: false });
      signIn(session);
      router.replace(nextPage());
    } catch (caught) {
      setError(errorText(caught, t));
      setBusy(false);
    }
  };
  const title = mode === 'login' ? t('loginTitle') : t('registerTitle');
  return (
    <PublicPage>
      <form onSubmit={submit} className="card space-y-4" noValidate={false}>
        <h1 className="text-xl font-bold">{title}</h1>
        {deleted && mode === 'login' && (
          <p role="status" className="rounded-lg bg-green-50 p-3 text-sm text-green-900" data-testid="account-deleted">
            {t('accountDeleted')}
          </p>
        )}
        {expired && mode === 'login' && (
          <p role="alert" className="rounded-lg bg-amber-100 p-3 text-sm text-amber-950">
            {t('sessionExpired')}
          </p>
        )}
        <div>
          <label htmlFor="email" className="label">
            {t('email')}
          </label>
          <input id="email" name="email" type="email" autoComplete="email" required className="input" value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div>
          <label htmlFor="password" className="label">
            {t('password')}
          </label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            required
            minLength={mode === 'register' ? 8 : 1}
            aria-describedby={mode === 'register' ? 'password-hint' : undefined}
            className="input"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {mode === 'register' && (
            <p id="password-hint" className="mt-1 text-xs text-slate-600">
              {t('passwordHint')}
            </p>
          )}
        </div>
        {error && (
          <p role="alert" className="rounded-lg bg-red-100 p-3 text-sm text-red-900" data-testid="auth-error">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary w-full" disabled={busy}>
          {mode === 'login' ? t('loginButton') : t('registerButton')}
        </button>
        {mode === 'login' && (
          <p className="text-center text-sm">
            <Link href="/forgot-password/" className="text-blue-800 underline" data-testid="forgot-password-link">
              {t('forgotPasswordLink')}
            </Link>
          </p>
        )}
        <p className="text-center text-sm">
          <Link href={`${mode === 'login' ? '/register/' : '/login/'}${carry}`} className="font-medium text-blue-800 underline">
            {mode === 'login' ? t('toRegister') : t('toLogin')}
          </Link>
        </p>
        {/* Development builds only: Next inlines NODE_ENV, so a production bundle holds neither the hint nor the credentials. */}
        {mode === 'login' && process.env.NODE_ENV === 'development' && (
          <p className="text-center text-xs text-slate-600" data-testid="demo-accounts">
            {t('demoAccounts', { email: 'demo@consult-on.local', password: 'demo1234!' })}
          </p>
        )}
      </form>
    </PublicPage>
  );
}
