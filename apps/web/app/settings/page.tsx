'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { AppShell } from '@/components/AppShell';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { Panel } from '@/components/Panel';
import { api, apiBlob, saveBlob } from '@/lib/api';
import { useAuth } from '@/lib/auth';
import { errorText } from '@/lib/error-text';
import { useI18n, type Key } from '@/lib/i18n';
import { newPasswordProblem } from '@/lib/password-form';
import { queryKeys } from '@/lib/queries';
import type { SessionView, UserView } from '@consult-on/api-contract';

/** What the browser checks before asking the API (which checks all of it again, and the password's strength). */
function passwordFormProblem(current: string, next: string, confirm: string): { field: 'current' | 'next' | 'confirm'; key: Key } | null {
  if (!current) return { field: 'current', key: 'passwordRequired' };
  return newPasswordProblem(next, confirm);
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

/** The app's language and the account's (the language of its mail): one choice for both. */
function LanguageForm() {
  const { t, lang, setLang } = useI18n();
  const { token } = useAuth();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: (locale: 'ko' | 'en') => api<UserView>('/api/auth/me', { method: 'PATCH', body: { locale } }),
    onSuccess: (user) => client.setQueryData(queryKeys.me(token), user),
  });
  const choose = (locale: 'ko' | 'en') => {
    setLang(locale);
    save.mutate(locale);
  };
  return (
    <fieldset className="space-y-2" data-testid="language-form">
      <legend className="text-sm text-slate-700">{t('languageIntro')}</legend>
      <div className="flex flex-wrap gap-4">
        {(['ko', 'en'] as const).map((locale) => (
          <label key={locale} className="flex min-h-11 items-center gap-2 text-sm font-medium">
            <input type="radio" name="language" value={locale} checked={lang === locale} onChange={() => choose(locale)} className="h-5 w-5" data-testid={`language-${locale}`} />
            <span lang={locale}>{locale === 'ko' ? t('languageKorean') : t('languageEnglish')}</span>
          </label>
        ))}
      </div>
      {save.isError && (
        <p role="alert" className="text-sm text-red-800">
          {errorText(save.error, t)}
        </p>
      )}
      {save.isSuccess && (
        <p role="status" className="text-sm text-green-800">
          {t('languageSaved')}
        </p>
      )}
    </fieldset>
  );
}

/** Downloads everything kept about the account (JSON), or its token history alone (CSV). */
function ExportButtons() {
  const { t } = useI18n();
  const [state, setState] = useState<{ kind: 'idle' | 'done' } | { kind: 'pending'; which: 'json' | 'csv' } | { kind: 'failed'; message: string }>({ kind: 'idle' });
  const download = async (which: 'json' | 'csv') => {
    if (state.kind === 'pending') return;
    setState({ kind: 'pending', which });
    try {
      const day = new Date().toISOString().slice(0, 10);
      const blob = await apiBlob(which === 'json' ? '/api/account/export' : '/api/account/export/ledger.csv');
      saveBlob(blob, which === 'json' ? `consult-on-export-${day}.json` : `consult-on-ledger-${day}.csv`);
      setState({ kind: 'done' });
    } catch (error) {
      setState({ kind: 'failed', message: errorText(error, t) });
    }
  };
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">{t('exportIntro')}</p>
      <div className="flex flex-wrap gap-2">
        {(['json', 'csv'] as const).map((which) => (
          <button key={which} type="button" className="btn btn-secondary" disabled={state.kind === 'pending'} onClick={() => void download(which)} data-testid={`export-${which}`}>
            {state.kind === 'pending' && state.which === which ? t('exportPreparing') : which === 'json' ? t('exportJson') : t('exportLedger')}
          </button>
        ))}
      </div>
      {state.kind === 'failed' && (
        <p role="alert" className="text-sm text-red-800">
          {state.message}
        </p>
      )}
      {state.kind === 'done' && (
        <p role="status" className="text-sm text-green-800" data-testid="export-done">
          {t('exportDone')}
        </p>
      )}
    </div>
  );
}

/** Deletes the account for good, after a dialog that asks for the password. */
function DeleteAccount() {
  const { t } = useI18n();
  const { signOut } = useAuth();
  const [asking, setAsking] = useState(false);
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState(false);
  const remove = useMutation({
    mutationFn: () => api<{ deleted: true }>('/api/account/delete', { body: { password } }),
    onSuccess: () => signOut('/login/?deleted=1'),
  });
  const close = () => {
    setAsking(false);
    setPassword('');
    setMissing(false);
    remove.reset();
  };
  const confirm = () => {
    setMissing(!password);
    if (!password) {
      document.getElementById('delete-password')?.focus();
      return;
    }
    if (!remove.isPending) remove.mutate();
  };
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">{t('deleteIntro')}</p>
      <button type="button" className="btn btn-danger" onClick={() => setAsking(true)} data-testid="delete-open">
        {t('deleteOpen')}
      </button>
      {asking && (
        <ConfirmDialog
          id="delete-dialog"
          title={t('deleteConfirmTitle')}
          confirmLabel={t('deleteConfirm')}
          pending={remove.isPending}
          error={missing ? null : remove.error}
          onConfirm={confirm}
          onClose={close}
          testId="delete-dialog"
        >
          <p>{t('deleteConfirmBody')}</p>
          <form
            className="mt-3"
            onSubmit={(event) => {
              event.preventDefault();
              confirm();
            }}
          >
            <label htmlFor="delete-password" className="label">
              {t('deletePassword')}
            </label>
            <input
              id="delete-password"
              type="password"
              autoComplete="current-password"
              maxLength={128}
              className="input"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-invalid={missing || undefined}
              aria-describedby={missing ? 'delete-password-error' : undefined}
              data-testid="delete-password"
            />
            {missing && (
              <p id="delete-password-error" role="alert" className="mt-1 text-sm text-red-800">
                {t('deletePasswordRequired')}
              </p>
            )}
          </form>
        </ConfirmDialog>
      )}
    </div>
  );
}

function Settings() {
  const { t } = useI18n();
  return (
    <>
      <h1 className="mb-4 text-2xl font-bold">{t('settingsTitle')}</h1>
      <div className="grid min-w-0 gap-4 lg:grid-cols-2">
        <Panel id="settings-password" title={t('passwordChangeTitle')} className="min-w-0">
          <PasswordForm />
        </Panel>
        <Panel id="settings-language" title={t('languageTitle')} className="min-w-0">
          <LanguageForm />
        </Panel>
        <Panel id="settings-export" title={t('exportTitle')} className="min-w-0">
          <ExportButtons />
        </Panel>
        <Panel id="settings-delete" title={t('deleteTitle')} className="min-w-0">
          <DeleteAccount />
        </Panel>
      </div>
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
