'use client';

import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { AppShell } from '@/components/AppShell';
import { Panel } from '@/components/Panel';
import { api } from '@/lib/api';
import { useAuth } from '@/lib/auth';
import { errorText } from '@/lib/error-text';
import { useI18n, type Key } from '@/lib/i18n';
import type { SessionView } from '@consult-on/api-contract';

/** What the browser checks before asking the API (which checks all of it again, and the password's strength). */
function passwordFormProblem(current: string, next: string, confirm: string): { field: 'current' | 'next' | 'confirm'; key: Key } | null {
  if (!current) return { field: 'current', key: 'passwordRequired' };
  if (next.length < 8) return { field: 'next', key: 'passwordTooShort' };
  if (next !== confirm) return { field: 'confirm', key: 'passwordMismatch' };
  return null;
}

/** The current password and a new one twice; on success this device keeps its session (a new token), every other one ends. */
function PasswordForm() {
  const { t } = useI18n();
  const { signIn } = useAuth();
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<ReturnType<typeof passwordFormProblem>>(null);
  const [done, setDone] = useState(false);
  const change = useMutation({
    mutationFn: () => api<SessionView>('/api/auth/password', { body: { currentPassword: current, newPassword: next } }),
    onSuccess: (session) => {
      signIn(session);
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone(true);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    change.reset();
    const found = passwordFormProblem(current, next, confirm);
    setProblem(found);
    if (found) {
      document.getElementById(`${id}-${found.field}`)?.focus();
      return;
    }
    if (!change.isPending) change.mutate();
  };
  const error = problem ? t(problem.key) : change.isError ? errorText(change.error, t) : null;
  const field = (name: 'current' | 'next' | 'confirm', label: Key, value: string, set: (value: string) => void, autoComplete: string) => (
    <div>
      <label htmlFor={`${id}-${name}`} className="label">
        {t(label)}
      </label>
      <input
        id={`${id}-${name}`}
        type="password"
        autoComplete={autoComplete}
        className="input"
        value={value}
        maxLength={128}
        onChange={(event) => {
          set(event.target.value);
          setDone(false);
        }}
        aria-invalid={problem?.field === name ? true : undefined}
        aria-describedby={problem?.field === name ? `${id}-error` : undefined}
        data-testid={`password-${name}`}
      />
    </div>
  );
  return (
    <form onSubmit={submit} className="max-w-md space-y-3" noValidate data-testid="password-form">
      <p className="text-sm text-slate-700">{t('passwordChangeIntro')}</p>
      {field('current', 'currentPassword', current, setCurrent, 'current-password')}
      {field('next', 'newPassword', next, setNext, 'new-password')}
      {field('confirm', 'newPasswordConfirm', confirm, setConfirm, 'new-password')}
      {error && (
        <p id={`${id}-error`} role="alert" className="text-sm text-red-800" data-testid="password-error">
          {error}
        </p>
      )}
      {done && (
        <p role="status" className="rounded-lg bg-green-50 p-2 text-sm text-green-900" data-testid="password-changed">
          {t('passwordChanged')}
        </p>
      )}
      <button type="submit" className="btn btn-primary" disabled={change.isPending} data-testid="password-submit">
        {change.isPending ? t('passwordChanging') : t('passwordChange')}
      </button>
    </form>
  );
}

function Settings() {
  const { t } = useI18n();
  return (
    <>
      <h1 className="mb-4 text-2xl font-bold">{t('settingsTitle')}</h1>
      <Panel id="settings-password" title={t('passwordChangeTitle')} className="min-w-0">
        <PasswordForm />
      </Panel>
    </>
  );
}

export default function SettingsPage() {
  return (
    <AppShell>
      <Settings />
    </AppShell>
  );
}
