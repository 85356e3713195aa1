'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { linkToken, PublicPage } from '@/components/PublicPage';
import { api, ApiError } from '@/lib/api';
import { useAuth } from '@/lib/auth';
import { errorText } from '@/lib/error-text';
import { useI18n, type Key } from '@/lib/i18n';
import { newPasswordProblem } from '@/lib/password-form';
import type { SessionView } from '@consult-on/api-contract';

/** A new password with the mailed link's token; on success every other session ends and this device is signed in. */
export default function ResetPasswordPage() {
  const { t } = useI18n();
  const { signIn } = useAuth();
  const router = useRouter();
  // undefined until the address bar is read (after the first render: the page is static).
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<ReturnType<typeof newPasswordProblem>>(null);
  useEffect(() => setToken(linkToken()), []);
  const reset = useMutation({
    mutationFn: () => api<SessionView>('/api/auth/password-reset/confirm', { body: { token, newPassword: password }, redirectOn401: false }),
    onSuccess: (session) => {
      signIn(session);
      router.replace('/dashboard/');
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    reset.reset();
    const found = newPasswordProblem(password, confirm);
    setProblem(found);
    if (found) {
      document.getElementById(`reset-${found.field}`)?.focus();
      return;
    }
    if (!reset.isPending) reset.mutate();
  };
  const linkDead = token === null || (reset.error instanceof ApiError && reset.error.code === 'INVALID_LINK');
  const error = problem ? t(problem.key) : token === null ? t('resetMissingToken') : reset.isError ? errorText(reset.error, t) : null;
  const field = (name: 'next' | 'confirm', label: Key, value: string, set: (value: string) => void) => (
    <div>
      <label htmlFor={`reset-${name}`} className="label">
        {t(label)}
      </label>
      <input
        id={`reset-${name}`}
        type="password"
        autoComplete="new-password"
        maxLength={128}
        className="input"
        value={value}
        onChange={(event) => set(event.target.value)}
        aria-invalid={problem?.field === name || undefined}
        aria-describedby={problem?.field === name ? 'reset-error' : undefined}
        data-testid={`reset-${name}`}
      />
    </div>
  );
  return (
    <PublicPage>
      <form onSubmit={submit} className="card space-y-4" noValidate>
        <h1 className="text-xl font-bold">{t('resetTitle')}</h1>
        <p className="text-sm text-slate-700">{t('resetIntro')}</p>
        {field('next', 'newPassword', password, setPassword)}
        {field('confirm', 'newPasswordConfirm', confirm, setConfirm)}
        <p className="text-xs text-slate-600">{t('passwordHint')}</p>
        {error && (
          <p id="reset-error" role="alert" className="rounded-lg bg-red-100 p-3 text-sm text-red-900" data-testid="reset-error">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary w-full" disabled={reset.isPending || reset.isSuccess || !token} data-testid="reset-submit">
          {reset.isPending ? t('passwordChanging') : t('resetSubmit')}
        </button>
        <p className="text-center text-sm">
          <Link href={linkDead ? '/forgot-password/' : '/login/'} className="font-medium text-blue-800 underline" data-testid="reset-other">
            {linkDead ? t('resetRequestAgain') : t('toLogin')}
          </Link>
        </p>
      </form>
    </PublicPage>
  );
}
