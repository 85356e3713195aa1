'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AppShell, Spinner } from '@/components/AppShell';
import { CopyButton } from '@/components/chat/AnswerActions';
import { ApiKeySettings, keyUsageText } from '@/components/ApiKeySettings';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { NameForm } from '@/components/OrganizationNameForm';
import { Panel } from '@/components/Panel';
import { TableHead } from '@/components/TableHead';
import { api } from '@/lib/api';
import { keysPath, keyStatus, openAiBaseUrl, type ApiKeyView, type CreatedApiKeyView } from '@/lib/api-keys';
import { errorText } from '@/lib/error-text';
import { useModels } from '@/lib/chat-models';
import { useI18n } from '@/lib/i18n';
import type { NameRule, OrganizationSummaryView } from '@/lib/organizations';
import { queryKeys } from '@/lib/queries';
import { QueryFailed } from '@/components/QueryFailed';

const KEY_NAME_RULE: NameRule = { max: 100, hint: 'keyNameHint', required: 'keyNameRequired', tooLong: 'keyNameTooLong' };

/** A new key, shown this once with a copy button, until the user says they have it. */
function CreatedKey({ created, onDone }: { created: CreatedApiKeyView; onDone: () => void }) {
  const { t } = useI18n();
  return (
    <div role="status" className="mb-4 rounded-lg border border-amber-300 bg-amber-50 p-3" data-testid="key-created">
      <p className="font-semibold">{t('keyCreatedTitle')}</p>
      <p className="mt-1 text-sm text-amber-950">{t('keyCreatedOnce')}</p>
      <code className="mt-2 block rounded bg-white p-2 text-sm break-all" data-testid="key-created-value">
        {created.key}
      </code>
      <div className="mt-2 flex flex-wrap gap-2">
        <CopyButton text={created.key} label="keyCopy" done="keyCopied" className="btn btn-secondary" testId="key-copy" />
        <button type="button" className="btn btn-primary" onClick={onDone} data-testid="key-created-done">
          {t('keyCreatedDone')}
        </button>
      </div>
    </div>
  );
}

/** Cards on a phone, a table from `sm` up: the same keys either way, each with its revoke button. */
function KeyList({ keys, onRevoke, onSettings }: { keys: ApiKeyView[]; onRevoke: (key: ApiKeyView) => void; onSettings: (key: ApiKeyView) => void }) {
  const { t, df, nf } = useI18n();
  const now = new Date();
  const status = (key: ApiKeyView) => (
    <>
      {t(keyStatus(key, now))}
      {!key.revokedAt && key.expiresAt && keyStatus(key, now) === 'keyActive' ? ` · ${t('keyExpires', { date: df(key.expiresAt) })}` : ''}
    </>
  );
  const revoke = (key: ApiKeyView) =>
    keyStatus(key, now) === 'keyActive' ? (
      <span className="inline-flex flex-wrap gap-2">
        <button type="button" className="btn btn-secondary" aria-label={t('keySettingsOf', { name: key.name })} onClick={() => onSettings(key)} data-testid="key-settings-open">
          {t('keySettings')}
        </button>
        <button type="button" className="btn btn-secondary text-red-800" aria-label={t('keyRevokeOf', { name: key.name })} onClick={() => onRevoke(key)} data-testid="key-revoke">
          {t('keyRevoke')}
        </button>
      </span>
    ) : null;
  const usage = (key: ApiKeyView) => (
    <span className="tabular-nums" data-testid="key-usage-line">
      {keyUsageText(key, t, nf)}
    </span>
  );
  return (
    <>
      <ul className="space-y-3 sm:hidden" data-testid="key-cards">
        {keys.map((key) => (
          <li key={key.id} className="rounded-lg border border-slate-200 p-3" data-testid="key-card">
            <p className="font-semibold break-words">{key.name}</p>
            <p className="font-mono text-sm break-all text-slate-700">{key.prefix}…</p>
            <p className="mt-1 text-sm text-slate-700">{status(key)}</p>
            <p className="text-sm text-slate-700">{usage(key)}</p>
            <p className="text-xs text-slate-600">
              {t('keyCreatedOn')} {df(key.createdAt)} · {key.lastUsedAt ? `${t('keyLastUsed')} ${df(key.lastUsedAt)}` : t('keyNeverUsed')}
            </p>
            <p className="text-xs break-all text-slate-600">
              {t('keyCreatedBy')} {key.createdByEmail}
            </p>
            <div className="mt-2">{revoke(key)}</div>
          </li>
        ))}
      </ul>
      {/* relative: the sr-only header is absolutely positioned and would otherwise widen the page. */}
      <div className="relative hidden overflow-x-auto sm:block">
        <table className="w-full text-left text-sm" data-testid="key-table">
          <TableHead
            columns={[
              { label: t('keyName') },
              { label: t('keyPrefix') },
              { label: t('keyStatus') },
              { label: t('keyUsageMonth') },
              { label: t('keyCreatedBy') },
              { label: t('keyCreatedOn') },
              { label: t('keyLastUsed') },
              { label: t('keyRevoke'), hidden: true },
            ]}
          />
          <tbody>
            {keys.map((key) => (
              <tr key={key.id} className="border-b border-slate-100" data-testid="key-row" data-key={key.id}>
                <td className="px-2 py-2 break-words">{key.name}</td>
                <td className="px-2 py-2 font-mono whitespace-nowrap">{key.prefix}…</td>
                <td className="px-2 py-2" data-testid="key-status">
                  {status(key)}
                </td>
                <td className="px-2 py-2">{usage(key)}</td>
                <td className="px-2 py-2 break-all">{key.createdByEmail}</td>
                <td className="px-2 py-2 whitespace-nowrap">{df(key.createdAt)}</td>
                <td className="px-2 py-2 whitespace-nowrap">{key.lastUsedAt ? df(key.lastUsedAt) : t('keyNeverUsed')}</td>
                <td className="px-2 py-2 text-right">{revoke(key)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** One owner's keys: one's own (`organizationId` null) or an organization's, for its owners and admins. */
function KeysPanel({ organizationId, title, panelId }: { organizationId: string | null; title: string; panelId: string }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [created, setCreated] = useState<CreatedApiKeyView | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyView | null>(null);
  const [configuring, setConfiguring] = useState<ApiKeyView | null>(null);
  const list = useQuery({ queryKey: queryKeys.apiKeys(organizationId), queryFn: () => api<ApiKeyView[]>(keysPath(organizationId)) });
  const create = useMutation({
    mutationFn: (name: string) => api<CreatedApiKeyView>(keysPath(organizationId), { body: { name } }),
    onSuccess: (key) => {
      setCreated(key);
      void client.invalidateQueries({ queryKey: queryKeys.apiKeys(organizationId) });
    },
  });
  const revoke = useMutation({
    mutationFn: (key: ApiKeyView) => api<ApiKeyView>(`/api/api-keys/${key.id}`, { method: 'DELETE' }),
    onSuccess: () => {
      setRevoking(null);
      void client.invalidateQueries({ queryKey: queryKeys.apiKeys(organizationId) });
    },
  });
  return (
    <Panel id={panelId} title={title} className="min-w-0">
      <div data-testid={organizationId ? `keys-${organizationId}` : 'keys-mine'}>
        {created && <CreatedKey created={created} onDone={() => setCreated(null)} />}
        <NameForm
          rule={KEY_NAME_RULE}
          label={t('keyName')}
          submitLabel={t('keyCreate')}
          pendingLabel={t('keyCreating')}
          pending={create.isPending}
          error={create.error}
          onSubmit={(name) => create.mutate(name)}
          testId="key-create"
        />
        <div className="mt-4">
          {list.isPending ? (
            <Spinner />
          ) : list.isError ? (
            <QueryFailed error={list.error} onRetry={() => void list.refetch()} />
          ) : list.data.length ? (
            <KeyList keys={list.data} onRevoke={setRevoking} onSettings={setConfiguring} />
          ) : (
            <p className="text-sm text-slate-600" data-testid="keys-none">
              {t('keysNone')}
            </p>
          )}
        </div>
      </div>
      {configuring && <ApiKeySettings apiKey={configuring} onClose={() => setConfiguring(null)} />}
      {revoking && (
        <ConfirmDialog
          id={`revoke-key-${revoking.id}`}
          title={t('keyRevokeTitle', { name: revoking.name })}
          confirmLabel={revoke.isPending ? t('keyRevoking') : t('keyRevoke')}
          pending={revoke.isPending}
          error={revoke.error}
          onConfirm={() => revoke.mutate(revoking)}
          onClose={() => setRevoking(null)}
          testId="revoke-key-dialog"
        >
          <p>{t('keyRevokeBody')}</p>
        </ConfirmDialog>
      )}
    </Panel>
  );
}

/** The OpenAI SDK pointed at this service: its base URL, and the two lines that use it. */
function Snippet() {
  const { t } = useI18n();
  const base = openAiBaseUrl(typeof window === 'undefined' ? '' : window.location.origin);
  // The model a turn gets when it names none: the one the snippet names.
  const model = useModels().data?.find((candidate) => candidate.isDefault)?.id ?? 'consult-basic';
  const code = `import OpenAI from 'openai';\n\nconst client = new OpenAI({\n  apiKey: process.env.CONSULT_ON_API_KEY,\n  baseURL: '${base}',\n});\nconst answer = await client.chat.completions.create({\n  model: '${model}',\n  messages: [{ role: 'user', content: '안녕하세요' }],\n});\nconsole.log(answer.choices[0].message.content);`;
  return (
    <Panel id="keys-snippet" title={t('keySnippetTitle')} className="min-w-0">
      <p className="mb-2 text-sm text-slate-700">{t('keySnippetIntro')}</p>
      <code className="block rounded bg-slate-100 p-2 text-sm break-all" data-testid="keys-base-url">
        {base}
      </code>
      <pre className="mt-2 overflow-x-auto rounded bg-slate-900 p-3 text-xs text-slate-100" data-testid="keys-snippet-code">
        <code>{code}</code>
      </pre>
    </Panel>
  );
}

function ApiKeys() {
  const { t } = useI18n();
  const organizations = useQuery({ queryKey: queryKeys.organizationList(), queryFn: () => api<OrganizationSummaryView[]>('/api/organizations') });
  const managed = (organizations.data ?? []).filter((organization) => organization.role === 'OWNER' || organization.role === 'ADMIN');
  return (
    <>
      <h1 className="mb-1 text-2xl font-bold">{t('keysTitle')}</h1>
      <p className="mb-4 text-sm text-slate-700">{t('keysIntro')}</p>
      {/* min-w-0 on the panels: a grid item is otherwise as wide as its widest line (the code below). */}
      <div className="grid gap-4">
        <KeysPanel organizationId={null} title={t('keysMine')} panelId="keys-mine-title" />
        {managed.map((organization) => (
          <KeysPanel key={organization.id} organizationId={organization.id} title={t('keysOfOrganization', { org: organization.name })} panelId={`keys-${organization.id}-title`} />
        ))}
        <Snippet />
      </div>
    </>
  );
}

export default function ApiKeysPage() {
  return (
    <AppShell>
      <ApiKeys />
    </AppShell>
  );
}
