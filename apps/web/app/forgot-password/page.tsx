'use client';

import Link from 'next/link';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { PublicPage } from '@/components/PublicPage';
import { api } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';

/** Asks for a reset link: the answer is the same whether or not an account has the address. */
export default function ForgotPasswordPage() {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [missing, setMissing] = useState(false);
  const send = useMutation({ mutationFn: (address: string) => api<{ accepted: true }>('/api/auth/password-reset', { body: { email: address }, redirectOn401: false }) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const address = email.trim();
    setMissing(!address);
    if (!address) {
      document.getElementById('email')?.focus();
      return;
    }
    if (!send.isPending) send.mutate(address);
  };
  return (
    <PublicPage>
      <form onSubmit={submit} className="card space-y-4" noValidate>
        <h1 className="text-xl font-bold">{t('forgotTitle')}</h1>
        <p className="text-sm text-slate-700">{t('forgotIntro')}</p>
        <div>
          <label htmlFor="email" className="label">
            {t('email')}
          </label>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="email"
            maxLength={254}
            className="input"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            aria-invalid={missing || undefined}
            aria-describedby={missing ? 'forgot-error' : undefined}
            data-testid="forgot-email"
          />
        </div>
        {(missing || send.isError) && (
          <p id="forgot-error" role="alert" className="rounded-lg bg-red-100 p-3 text-sm text-red-900" data-testid="forgot-error">
            {missing ? t('emailRequired') : errorText(send.error, t)}
          </p>
        )}
        {send.isSuccess && (
          <p role="status" className="rounded-lg bg-green-50 p-3 text-sm break-words text-green-900" data-testid="forgot-sent">
            {t('forgotSent', { email: send.variables })}
          </p>
        )}
        <button type="submit" className="btn btn-primary w-full" disabled={send.isPending} data-testid="forgot-submit">
          {send.isPending ? t('forgotSending') : t('forgotSubmit')}
        </button>
        <p className="text-center text-sm">
          <Link href="/login/" className="font-medium text-blue-800 underline">
            {t('toLogin')}
          </Link>
        </p>
      </form>
    </PublicPage>
  );
}
